// Local stand-ins for the outside services the OTP senders talk to: a tiny SMTP sink (just enough of RFC 5321
// for one client: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, QUIT) and an HTTP receiver. Both listen on
// 127.0.0.1 on a free port; tests only.
import http from 'node:http';
import net from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
  /** The user AUTH PLAIN presented, if any. */
  user: string | null;
  pass: string | null;
}

export interface SmtpSink {
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** `refuseRecipients`: answer RCPT with 550, as a server does for an unknown mailbox. */
export async function startSmtpSink(opts: { refuseRecipients?: boolean } = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = '';
    let inData = false;
    let auth: { user: string | null; pass: string | null } = { user: null, pass: null };
    let cur: ReceivedMail | null = null;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 sink ESMTP');
    socket.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          cur!.data = buf.slice(0, end).replace(/^\.\./gm, '.');
          buf = buf.slice(end + 5);
          mails.push(cur!);
          cur = null;
          inData = false;
          reply('250 queued');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250-sink\r\n250-AUTH PLAIN\r\n250 8BITMIME');
        else if (verb === 'AUTH') {
          const [, user, pass] = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8').split('\0');
          auth = { user: user ?? null, pass: pass ?? null };
          reply('235 ok');
        } else if (verb === 'MAIL') {
          cur = { from: /<(.*)>/.exec(line)?.[1] ?? '', to: [], data: '', ...auth };
          reply('250 ok');
        } else if (verb === 'RCPT') {
          if (opts.refuseRecipients) reply('550 no such mailbox');
          else {
            cur?.to.push(/<(.*)>/.exec(line)?.[1] ?? '');
            reply('250 ok');
          }
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 go on');
        } else if (verb === 'RSET') {
          cur = null;
          reply('250 ok');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('502 not implemented');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface ReceivedRequest {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Answers every request with `status`, after `delayMs` (to make a sender time out). */
export async function startHttpReceiver(status = 200, delayMs = 0): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', headers: req.headers, body });
      const t = setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end('ok'), delayMs);
      res.on('close', () => clearTimeout(t));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
