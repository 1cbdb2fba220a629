import { pino, type Logger } from 'pino';

/** Structured logs; credential-bearing paths are redacted even if something tries to log them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['client_auth_key', 'authKey', 'authorization', '*.client_auth_key', '*.authKey', '*.authorization', 'req.headers.authorization', 'req.headers.client_auth_key', 'credentials'],
      censor: '[redacted]',
    },
  });
}
