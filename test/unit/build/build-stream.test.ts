// The build progress reader: whole lines before redaction, errors found inside a 200 stream, the
// failing step named. No Docker Engine needed.
import { describe, expect, it } from 'vitest';
import { BuildProgress } from '../../../electron/adapters/docker/build-stream.js';
import { REDACTED, createRedactor } from '../../../electron/core/redact.js';

const SECRET = 'tok-7f3a9c2e51b8';

function reader() {
  const lines: string[] = [];
  const progress = new BuildProgress(createRedactor([SECRET]), (line) => lines.push(line));
  return { progress, lines };
}

const json = (event: unknown) => `${JSON.stringify(event)}\n`;

describe('BuildProgress', () => {
  it('joins stream text cut across events and JSON cut across chunks into whole lines, then redacts them', () => {
    const { progress, lines } = reader();
    const body =
      json({ stream: 'Step 1/2 : FROM busybox:1.36.1\n' }) +
      json({ stream: `value=${SECRET.slice(0, 7)}` }) +
      json({ stream: `${SECRET.slice(7)} done\nno newline yet` }) +
      json({ stream: ' …now\n' });
    const bytes = Buffer.from(body);
    // Feed it in 5-byte pieces: JSON lines and UTF-8 characters are both split.
    for (let i = 0; i < bytes.length; i += 5) progress.write(bytes.subarray(i, i + 5));
    progress.end();
    expect(lines).toEqual(['Step 1/2 : FROM busybox:1.36.1', `value=${REDACTED} done`, 'no newline yet …now']);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('reports an errorDetail in a successful stream as a failure at the running step', () => {
    const { progress, lines } = reader();
    progress.write(json({ stream: 'Step 1/3 : FROM busybox:1.36.1\n' }));
    for (let i = 0; i < 15; i++) progress.write(json({ stream: `noise ${i}\n` }));
    progress.write(json({ stream: 'Step 2/3 : RUN exit 3\n' }));
    progress.write(json({ stream: ` ---> Running in abc\nlast words ${SECRET}` }));
    progress.write(
      json({
        errorDetail: { code: 3, message: `The command '/bin/sh -c exit 3' returned a non-zero code: 3 (${SECRET})` },
        error: 'The command returned a non-zero code: 3',
      }),
    );
    progress.end();
    const failure = progress.failure();
    expect(failure?.step).toBe('RUN exit 3');
    expect(failure?.message).toContain('non-zero code: 3');
    expect(failure?.message).not.toContain(SECRET);
    expect(failure?.tail).toHaveLength(10);
    expect(failure?.tail).toContain(`last words ${REDACTED}`);
    expect(failure?.tail.at(-1)).toMatch(/^ERROR: /);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('takes `error` alone as a failure too, and no step before the first one', () => {
    const { progress } = reader();
    progress.write(json({ error: 'dockerfile parse error line 2: unknown instruction: RUNN' }));
    progress.end();
    expect(progress.failure()).toMatchObject({ step: null, message: expect.stringContaining('unknown instruction') });
  });

  it('has no failure for a clean stream and remembers the image id from aux', () => {
    const { progress, lines } = reader();
    progress.write(json({ stream: 'Step 1/1 : FROM busybox:1.36.1\n' }));
    progress.write(json({ aux: { ID: 'sha256:abc' } }));
    progress.write(json({ stream: 'Successfully built abc\n' }));
    progress.end();
    expect(progress.failure()).toBeNull();
    expect(progress.imageId).toBe('sha256:abc');
    expect(lines).toContain('built sha256:abc');
  });

  it('turns status and other aux messages into short lines', () => {
    const { progress, lines } = reader();
    progress.write(json({ status: 'Downloading', id: 'abc123', progress: '[==>   ] 1MB/5MB' }));
    progress.write(json({ aux: { trace: 'x'.repeat(1000) } }));
    progress.end();
    expect(lines[0]).toBe('abc123 Downloading [==>   ] 1MB/5MB');
    expect(lines[1]?.length).toBeLessThan(220);
  });

  it('tracks BuildKit-style step lines', () => {
    const { progress } = reader();
    progress.write(json({ stream: '#5 [stage-0 2/3] RUN exit 3\n' }));
    progress.write(json({ error: 'process "/bin/sh -c exit 3" did not complete successfully: exit code: 3' }));
    progress.end();
    expect(progress.failure()?.step).toBe('RUN exit 3');
  });

  it('passes non-JSON body lines on as text', () => {
    const { progress, lines } = reader();
    progress.write(`plain text ${SECRET}\n`);
    progress.end();
    expect(lines).toEqual([`plain text ${REDACTED}`]);
  });

  it('hears each intermediate image the build commits, not the base image or a cache hit', () => {
    const layers: string[] = [];
    const progress = new BuildProgress(createRedactor([]), undefined, (id) => layers.push(id));
    const body = [
      'Step 1/4 : FROM busybox:1.36.1',
      ' ---> 1feff2557296',
      'Step 2/4 : RUN echo a > /a',
      ' ---> Using cache',
      ' ---> 0b56bf211038',
      'Step 3/4 : RUN echo b > /b',
      ' ---> Running in bb01f5e59c82',
      'Removing intermediate container bb01f5e59c82',
      ' ---> 3c4d5e6f7a8b',
      'Step 4/4 : LABEL x=y',
      ' ---> Running in 83a301281b95',
    ]
      .map((line) => json({ stream: `${line}\n` }))
      .join('');
    progress.write(body);
    progress.end();
    expect(layers).toEqual(['3c4d5e6f7a8b']);
  });
});
