import * as z from 'zod';

/** env:NAME, file:PATH or cmd:COMMAND: the config file names a secret, never holds it. */
export const secretReference = z
  .string()
  .regex(/^(env|file|cmd):.+$/, 'a secret reference: env:NAME, file:PATH or cmd:COMMAND, never the secret itself');
