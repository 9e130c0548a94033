import { startPostgres, createDatabase } from '../test/support/postgres.mjs';
const server = await startPostgres();
console.log(await createDatabase(server.url));
process.on('SIGTERM', async () => { await server.stop(); process.exit(0); });
setInterval(() => {}, 1000);
