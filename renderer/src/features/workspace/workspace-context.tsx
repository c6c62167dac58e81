// The workspace every screen works on: its path (typed once, in the bar above every screen) and the
// graph opened from it. Held here so that moving between screens keeps both.
import { type ReactNode, createContext, useContext, useState } from 'react';
import { type Command, refuse, useCommand } from '../../client/use-command.js';

interface WorkspaceContextValue {
  dir: string;
  setDir(dir: string): void;
  /** workspace.open for `dir`: its progress, graph and error. */
  open: Command<'workspace.open'>;
}

const WorkspaceContext = createContext<WorkspaceContextValue | null>(null);

export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const [dir, setDir] = useState('');
  const open = useCommand('workspace.open');
  return <WorkspaceContext.Provider value={{ dir, setDir, open }}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): WorkspaceContextValue {
  const value = useContext(WorkspaceContext);
  if (!value) throw new Error('useWorkspace() was called outside <WorkspaceProvider>; render the screen inside App.');
  return value;
}

export const NO_WORKSPACE = 'Enter the workspace path above first.';

/** The trimmed workspace path, or what to do when there is none. */
export function workspaceDir(dir: string, message = NO_WORKSPACE): string | ReturnType<typeof refuse> {
  const trimmed = dir.trim();
  return trimmed ? trimmed : refuse(message);
}

export function openInput(dir: string) {
  const target = workspaceDir(dir, 'Enter the path of an Nx workspace first.');
  return typeof target === 'string' ? { dir: target } : target;
}
