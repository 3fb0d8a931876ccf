// Reads an HTTP/1.1 response as it arrives, for the webhook client: its status, whether the connection can be
// reused, and where the response ends (Content-Length, chunked, or the connection closing). The body itself
// is skipped, never kept. Interim 1xx responses are passed over. Anything it cannot frame with certainty
// throws, and the caller drops the connection.

const MAX_HEAD = 64 * 1024;
const MAX_LINE = 4 * 1024;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'done';

export class ResponseParser {
  /** The final (non-1xx) status, once its head has arrived. */
  status: number | null = null;
  /** Whether the connection may carry another request after this response. */
  keepAlive = true;
  /** Bytes came after the end of the response (the connection is then not reused). */
  surplus = false;
  private state: State = 'head';
  private head = '';
  private line = '';
  private remaining = 0;

  /** Takes the next bytes; true once the response has ended. */
  feed(chunk: Buffer): boolean {
    let at = 0;
    while (at < chunk.length) {
      switch (this.state) {
        case 'head': {
          const before = this.head.length;
          this.head += chunk.toString('latin1', at);
          const end = this.head.indexOf('\r\n\r\n');
          if (end < 0) {
            if (this.head.length > MAX_HEAD) throw new Error('response headers too large');
            return false;
          }
          at += end + 4 - before;
          const head = this.head.slice(0, end);
          this.head = '';
          this.onHead(head);
          break;
        }
        case 'length': {
          const n = Math.min(this.remaining, chunk.length - at);
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'done';
          break;
        }
        case 'chunk-size':
        case 'trailers': {
          const nl = chunk.indexOf(10, at);
          this.line += chunk.toString('latin1', at, nl < 0 ? chunk.length : nl + 1);
          if (this.line.length > MAX_LINE) throw new Error('malformed chunked response');
          if (nl < 0) return false;
          at = nl + 1;
          const line = this.line.replace(/\r?\n$/, '');
          this.line = '';
          if (this.state === 'trailers') {
            if (line === '') this.state = 'done';
          } else {
            const m = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
            if (!m) throw new Error('malformed chunked response');
            this.remaining = parseInt(m[1], 16);
            this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
          }
          break;
        }
        case 'chunk-data': {
          const n = Math.min(this.remaining, chunk.length - at);
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.state = 'chunk-end';
            this.line = '';
          }
          break;
        }
        case 'chunk-end': {
          // The CRLF that closes a chunk's data.
          this.line += String.fromCharCode(chunk[at++]);
          if (this.line === '\r') break;
          if (this.line !== '\r\n' && this.line !== '\n') throw new Error('malformed chunked response');
          this.line = '';
          this.state = 'chunk-size';
          break;
        }
        case 'close':
          return false;
        case 'done':
          this.surplus = true;
          return true;
      }
      if (this.state === 'done' && at < chunk.length) this.surplus = true;
      if (this.state === 'done') return true;
    }
    return this.state === 'done';
  }

  /** The body runs until the connection closes, so a close ends the response rather than cutting it short. */
  endsAtClose(): boolean {
    return this.state === 'close';
  }

  private onHead(head: string): void {
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0]);
    if (!m) throw new Error('malformed response');
    const status = Number(m[2]);
    if (status >= 100 && status < 200 && status !== 101) return void (this.state = 'head');
    let length: number | undefined;
    let chunked = false;
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      if (colon <= 0) throw new Error('malformed response header');
      const name = lines[i].slice(0, colon).trim().toLowerCase();
      const value = lines[i].slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== Number(value))) throw new Error('malformed Content-Length');
        length = Number(value);
      } else if (name === 'transfer-encoding') {
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
        if (!chunked) throw new Error(`unsupported Transfer-Encoding ${value}`);
      } else if (name === 'connection') connection += `,${value.toLowerCase()}`;
    }
    this.status = status;
    const tokens = connection.split(',').map((s) => s.trim());
    this.keepAlive = tokens.includes('close') ? false : m[1] === '1' || tokens.includes('keep-alive');
    if (status === 204 || status === 304) this.state = 'done';
    else if (status === 101) this.state = 'close';
    else if (chunked) this.state = 'chunk-size';
    else if (length !== undefined) this.state = length === 0 ? 'done' : 'length';
    else this.state = 'close';
    if (this.state === 'length') this.remaining = length!;
    if (this.state === 'close') this.keepAlive = false;
  }
}
