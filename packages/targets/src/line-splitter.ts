/** What a child process writes, as lines. */
import { StringDecoder } from 'node:string_decoder';

/** A line longer than this is passed on in pieces (a client driver printing a whole message, say). */
const MAX_LINE_CHARS = 64 * 1024;

/** Turns chunks into lines (without their \r\n or \n); flush() passes on a last unterminated line. */
export function lineSplitter(emit: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const take = (text: string): void => {
    pending += text;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      emit(pending.slice(0, nl).replace(/\r$/, ''));
      pending = pending.slice(nl + 1);
    }
    while (pending.length > MAX_LINE_CHARS) {
      emit(pending.slice(0, MAX_LINE_CHARS));
      pending = pending.slice(MAX_LINE_CHARS);
    }
  };
  return {
    push: (chunk) => take(decoder.write(chunk)),
    flush() {
      take(decoder.end());
      if (pending !== '') emit(pending.replace(/\r$/, ''));
      pending = '';
    },
  };
}
