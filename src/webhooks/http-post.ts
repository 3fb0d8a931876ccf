// A minimal HTTP/1.1 client for webhook POSTs over kept-alive sockets. node:http spends about three times the
// CPU of the rest of a delivery on building the request object, its headers and the response object, none of
// which a webhook needs: the request is a few fixed headers and a body, and of the response only the status
// matters. Here the request is written as one buffer and the response is parsed just enough to find its
// status and where it ends, so that the socket can carry the next delivery.
// undici 7 was tried in its place (its low-level dispatch API, no response objects): per delivered event it
// cost 15-25% more CPU than this client in interleaved drains of the same backlog (bench/webhooks/profile.ts),
// and delivery throughput is bound by that CPU.
//
// https is the same exchange over tls.connect, which verifies the certificate against the system's CAs and the
// URL's host name, as https.request does. Redirects are not followed (the caller treats a 3xx as a failure).
import net from 'node:net';
import tls from 'node:tls';
import { ResponseParser } from './response-parser.js';

export interface Target {
  /** Pool key: sockets are shared by targets on the same scheme, host and port. */
  origin: string;
  tls: boolean;
  host: string;
  port: number;
  /** The request line and the Host header, up to the end of that line. */
  preamble: string;
}

const targets = new Map<string, Target>();

/** The parsed form of a URL, kept (a dispatcher sends to the same few URLs over and over). */
export function targetOf(url: string): Target {
  let t = targets.get(url);
  if (t) return t;
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported protocol ${u.protocol}`);
  const secure = u.protocol === 'https:';
  const port = u.port ? Number(u.port) : secure ? 443 : 80;
  t = {
    origin: `${u.protocol}//${u.host}`,
    tls: secure,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    preamble: `POST ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n`,
  };
  if (targets.size >= 1000) targets.clear();
  targets.set(url, t);
  return t;
}

export interface PostOptions {
  /** Extra TLS options (tests trust their own CA with `ca`). */
  tls?: tls.ConnectionOptions;
}

/** Idle sockets per origin beyond this are closed rather than kept. */
const MAX_IDLE = 256;

export class HttpPoster {
  private readonly idle = new Map<string, net.Socket[]>();

  constructor(private readonly opts: PostOptions = {}) {}

  /**
   * POSTs `body` with the given header lines (each ending in CRLF; Host and Content-Length are added).
   * Resolves with the status once the response has ended, or once its status is known when the connection
   * then fails or `timeoutMs` runs out; rejects when no status arrived. The timeout covers connecting too.
   */
  post(t: Target, headers: string, body: Buffer, timeoutMs: number): Promise<number> {
    const head = `${t.preamble}${headers}Content-Length: ${body.length}\r\n\r\n`;
    const request = Buffer.concat([Buffer.from(head, 'latin1'), body]);
    const deadline = performance.now() + timeoutMs;
    const idle = this.take(t.origin);
    if (!idle) return this.exchange(t, this.connect(t), request, timeoutMs);
    // A kept-alive socket the server closed an instant ago (its idle timeout) fails before any answer. The
    // request most likely never reached the receiver, so it goes once more over a new connection rather than
    // failing the attempt; if it did arrive, the receiver sees a duplicate, which at-least-once allows.
    return this.exchange(t, idle, request, timeoutMs).catch((e: Error & { unanswered?: boolean }) => {
      const left = deadline - performance.now();
      if (!e.unanswered || left <= 0) throw e;
      return this.exchange(t, this.connect(t), request, Math.ceil(left), timeoutMs);
    });
  }

  private exchange(t: Target, socket: net.Socket, request: Buffer, waitMs: number, timeoutMs = waitMs): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const parser = new ResponseParser();
      let written = false;
      let answered = false;
      let settled = false;
      const settle = (reusable: boolean, error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
        if (reusable) this.release(t.origin, socket);
        else socket.destroy();
        if (parser.status !== null) return resolve(parser.status);
        const e: Error & { unanswered?: boolean } = error ?? new Error('socket hang up');
        e.unanswered = !answered && !timedOut;
        reject(e);
      };
      let timedOut = false;
      const onData = (chunk: Buffer) => {
        answered = true;
        let ended: boolean;
        try {
          ended = parser.feed(chunk);
        } catch (e) {
          return settle(false, e as Error);
        }
        // A response that came before the request was fully written leaves the connection's state unclear.
        if (ended) settle(written && parser.keepAlive && !parser.surplus);
      };
      const onError = (e: Error) => settle(false, e);
      const onClose = () => settle(false, parser.endsAtClose() ? undefined : new Error('socket hang up'));
      const timer = setTimeout(() => {
        timedOut = true;
        settle(false, new Error(`timed out after ${timeoutMs} ms`));
      }, waitMs);
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.write(request, (e) => {
        if (!e) written = true;
      });
    });
  }

  /** Closes every idle socket. */
  close(): void {
    for (const list of this.idle.values()) for (const s of list) s.destroy();
    this.idle.clear();
  }

  private connect(t: Target): net.Socket {
    const socket = t.tls
      ? tls.connect({ ...this.opts.tls, host: t.host, port: t.port, servername: net.isIP(t.host) ? undefined : t.host })
      : net.connect({ host: t.host, port: t.port });
    socket.setNoDelay(true);
    return socket;
  }

  private take(origin: string): net.Socket | undefined {
    const list = this.idle.get(origin);
    const socket = list?.pop();
    if (!socket) return undefined;
    socket.off('close', dropIdle).off('error', dropIdle).off('data', dropIdle);
    socket.ref();
    return socket;
  }

  private release(origin: string, socket: net.Socket): void {
    let list = this.idle.get(origin);
    if (!list) this.idle.set(origin, (list = []));
    if (list.length >= MAX_IDLE || socket.destroyed) return void socket.destroy();
    // An idle socket does not keep the process alive; one the server closes (or writes to unasked) is dropped.
    socket.unref();
    const drop = () => {
      const i = list.indexOf(socket);
      if (i >= 0) list.splice(i, 1);
      socket.destroy();
    };
    DROPS.set(socket, drop);
    socket.once('close', dropIdle).once('error', dropIdle).once('data', dropIdle);
    list.push(socket);
  }
}

const DROPS = new WeakMap<net.Socket, () => void>();

function dropIdle(this: net.Socket): void {
  DROPS.get(this)?.();
}
