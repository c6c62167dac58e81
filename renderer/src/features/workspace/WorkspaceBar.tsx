// The workspace path above every screen, with Open: opening shows the workspace screen with the graph.
import type { FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { openInput, useWorkspace } from './workspace-context.js';

export function WorkspaceBar() {
  const { dir, setDir, open } = useWorkspace();
  const navigate = useNavigate();

  function submit(event: FormEvent) {
    event.preventDefault();
    void navigate('/workspace');
    void open.run(openInput(dir));
  }

  return (
    <form className="row workspace-bar" onSubmit={submit}>
      <label className="grow">
        <span className="label">Workspace path</span>
        <input
          type="text"
          value={dir}
          onChange={(event) => setDir(event.target.value)}
          placeholder="/path/to/nx/workspace"
          spellCheck={false}
          data-testid="workspace-dir"
        />
      </label>
      <button type="submit" disabled={open.running} data-testid="workspace-open">
        {open.running ? 'Opening…' : 'Open'}
      </button>
      {open.running && open.jobId && (
        <button type="button" className="ghost" onClick={() => void open.cancel()} data-testid="workspace-cancel">
          Cancel
        </button>
      )}
    </form>
  );
}
