// Reads the JSON-lines progress of POST /build: `stream` text is split into whole lines before it is
// redacted and handed on; `status` and `aux` messages become short lines of their own. The daemon
// answers 200 and reports a failed step only inside the stream (`errorDetail` / `error`), which
// dockerode's followProgress treats as success — this reader records it, with the step that was
// running (`Step N/M : RUN exit 3`, or BuildKit's `#N [stage k/n] RUN …`) and the last log lines.
import { StringDecoder } from 'node:string_decoder';
import { createLineSplitter } from '../../core/redact.js';

export interface BuildEvent {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: unknown;
}

export interface BuildFailure {
  /** Redacted message from the daemon. */
  message: string;
  /** The instruction that was running, redacted (e.g. `RUN exit 3`), or null before the first step. */
  step: string | null;
  /** The last log lines (redacted), oldest first. */
  tail: string[];
}

const TAIL_LINES = 10;
const MAX_AUX_LINE = 200;

const CLASSIC_STEP = /^Step \d+\/\d+ : (.+)$/;
/** The classic builder runs a step in a container, then commits it as an image and prints its id. */
const CLASSIC_RUNNING = /^ ---> Running in [0-9a-f]{12,64}$/;
const CLASSIC_COMMITTED = /^ ---> ([0-9a-f]{12,64})$/;
const BUILDKIT_STEP = /^#\d+ \[[^\]]+\] (.+)$/;

export class BuildProgress {
  private readonly decoder = new StringDecoder('utf8');
  /** Splits the response body into JSON lines. */
  private readonly jsonLines = createLineSplitter();
  /** Splits `stream` text into log lines. */
  private readonly textLines = createLineSplitter();
  private readonly tail: string[] = [];
  private step: string | null = null;
  private failureEvent: BuildEvent | null = null;
  /** Image id from `aux.ID` (classic builder), if seen. */
  imageId: string | null = null;
  /** Whether the current step ran a container (so the next ` ---> <id>` is an image this build made). */
  private ranContainer = false;

  /**
   * `onLayer` hears each intermediate image this build commits (not the base image, not a cache hit):
   * the classic builder cannot label them, so an aborted build's leftovers are known by these ids.
   */
  constructor(
    private readonly redact: (line: string) => string,
    private readonly onLog: ((line: string) => void) | undefined,
    private readonly onLayer?: (imageId: string) => void,
  ) {}

  /** Feeds a chunk of the raw response body. */
  write(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    for (const line of this.jsonLines.push(text)) this.handleJsonLine(line);
  }

  /** The body has ended: flushes partial lines. */
  end(): void {
    for (const line of this.jsonLines.push(this.decoder.end())) this.handleJsonLine(line);
    for (const line of this.jsonLines.end()) this.handleJsonLine(line);
    for (const line of this.textLines.end()) this.emit(line);
  }

  /** The failure the stream reported, or null when it reported none. */
  failure(): BuildFailure | null {
    const event = this.failureEvent;
    if (!event) return null;
    const raw = event.errorDetail?.message ?? event.error ?? 'unknown error';
    return { message: this.redact(raw), step: this.step, tail: [...this.tail] };
  }

  /** The last log lines seen (redacted). */
  lastLines(): string[] {
    return [...this.tail];
  }

  handleEvent(event: BuildEvent): void {
    if (typeof event.stream === 'string') {
      for (const line of this.textLines.push(event.stream)) this.emit(line);
    }
    if (typeof event.status === 'string') {
      const parts = [event.id, event.status, event.progress].filter((p): p is string => typeof p === 'string' && p !== '');
      this.emit(parts.join(' '));
    }
    if (event.aux !== undefined && event.aux !== null) {
      const id = (event.aux as { ID?: unknown }).ID;
      if (typeof id === 'string') {
        this.imageId = id;
        this.emit(`built ${id}`);
      } else {
        const text = JSON.stringify(event.aux);
        this.emit(`aux ${text.length > MAX_AUX_LINE ? `${text.slice(0, MAX_AUX_LINE)}…` : text}`);
      }
    }
    if (event.errorDetail !== undefined || event.error !== undefined) {
      // Whatever text preceded the error belongs to the failing step's output.
      for (const line of this.textLines.end()) this.emit(line);
      this.failureEvent ??= event;
      this.emit(`ERROR: ${event.errorDetail?.message ?? event.error ?? ''}`);
    }
  }

  private handleJsonLine(line: string): void {
    if (line.trim() === '') return;
    let event: BuildEvent;
    try {
      const parsed: unknown = JSON.parse(line);
      event = typeof parsed === 'object' && parsed !== null ? (parsed as BuildEvent) : { stream: `${line}\n` };
    } catch {
      event = { stream: `${line}\n` }; // not JSON: pass it on as text
    }
    this.handleEvent(event);
  }

  private trackLayer(line: string): void {
    if (CLASSIC_STEP.test(line)) this.ranContainer = false;
    else if (CLASSIC_RUNNING.test(line)) this.ranContainer = true;
    else {
      const committed = CLASSIC_COMMITTED.exec(line);
      if (committed?.[1] && this.ranContainer) {
        this.ranContainer = false;
        this.onLayer?.(committed[1]);
      }
    }
  }

  private emit(rawLine: string): void {
    const trimmed = rawLine.trimEnd();
    if (trimmed === '') return;
    this.trackLayer(trimmed);
    const line = this.redact(trimmed);
    const step = CLASSIC_STEP.exec(line) ?? BUILDKIT_STEP.exec(line);
    if (step?.[1]) this.step = step[1].trim();
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.onLog?.(line);
  }
}
