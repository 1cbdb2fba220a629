import { z } from 'zod';

// One pino JSON line, read the way an operator's tooling would: by its level and message.
const Level = z.looseObject({ level: z.number() });
const Msg = z.looseObject({ msg: z.string().optional() });

/** pino's numeric level of a log line (50 = error, 60 = fatal). */
export const levelOf = (line: string): number => Level.parse(JSON.parse(line)).level;

/** The message of a log line ('' when it has none). */
export const msgOf = (line: string): string => Msg.parse(JSON.parse(line)).msg ?? '';
