import { pino, type DestinationStream, type Logger } from 'pino';

/** Paths that could hold a key if something ever logged a credential-bearing object. */
const REDACT = [
  'client_auth_key',
  'authKey',
  'authorization',
  'credentials',
  '*.client_auth_key',
  '*.authKey',
  '*.authorization',
  '*.credentials',
  'req.headers.authorization',
  'req.headers.client_auth_key',
  'request.headers.authorization',
  'request.headers.client_auth_key',
];

/**
 * Structured logs; credential-bearing paths are redacted even if something tries to log them.
 * `destination` defaults to stdout; tests pass their own stream to read what was logged.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Readable, coloured lines for a person at a terminal (pino-pretty, loaded only then). Pipes, files
 * and log collectors get pino's JSON: index.ts picks this one only when stdout is a TTY.
 */
export async function terminalDestination(): Promise<DestinationStream> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', sync: true });
}
