import type { ProgressEvent } from "./types.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Where progress is drawn: a terminal stream. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** A one-line spinner on a terminal; does nothing when the stream is not a TTY (logs, pipes, CI). */
export function createProgress(stream: ProgressStream): {
  onProgress: (event: ProgressEvent) => void;
  stop: () => void;
} {
  if (stream.isTTY !== true) return { onProgress: () => {}, stop: () => {} };
  let frame = 0;
  let text = "starting";
  const draw = () => {
    stream.write(`\r\u001b[K${FRAMES[frame % FRAMES.length]} ${text}`);
    frame++;
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    onProgress: (event) => {
      text = `[${event.done}/${event.total}] ${event.step}`;
      draw();
    },
    stop: () => {
      clearInterval(timer);
      stream.write("\r\u001b[K");
    },
  };
}
