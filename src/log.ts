// One JSON line per log record on stderr. Callers pass fields, never secrets: keys and client secrets are
// masked before they reach a log line.
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: 'silent' | 'info' | 'debug', write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const emit = (lvl: string) => (msg: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }) + '\n');
  const off = () => {};
  return {
    info: level === 'silent' ? off : emit('info'),
    error: level === 'silent' ? off : emit('error'),
    debug: level === 'debug' ? emit('debug') : off,
  };
}
