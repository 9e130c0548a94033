// @ts-check
// Runs s3rver in its own process: `node --openssl-legacy-provider s3rver-process.mjs DIR PORT BUCKET...`.
// s3rver encrypts list continuation tokens with DES, which OpenSSL 3 only offers through its
// legacy provider; a child process can enable it without changing the test runner's crypto.
import S3rver from 's3rver';

const [directory, port, ...buckets] = process.argv.slice(2);
const server = new S3rver({ port: Number(port), address: '127.0.0.1', directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
