// @ts-check
// A real PostgreSQL server for tests and benchmarks: Debian's server binaries, started in a temp
// folder on a free port and removed afterwards; or the server DOCCAT_TEST_PG_URL names.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

function serverBinaries() {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server for the tests: install Debian\'s postgresql package (.ci/run does) or set DOCCAT_TEST_PG_URL to a server the tests may create databases on');
  return path.join(root, versions[0], 'bin');
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** The server refuses to run as root, so as root it runs as the postgres user. */
function runAsServerUser(command, args) {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout}`);
  return result.stdout;
}

/**
 * `durable: true` keeps PostgreSQL's default fsync and synchronous_commit (for benchmarks that
 * report figures a user would see); without it the server runs with fsync off. `settings` are
 * further server parameters (name to value), such as the sizing docs/scaling.md recommends.
 */
export async function startPostgres(options = {}) {
  if (process.env.DOCCAT_TEST_PG_URL) return { url: process.env.DOCCAT_TEST_PG_URL, stop: async () => undefined };
  const bin = serverBinaries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doccat-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  runAsServerUser(path.join(bin, 'initdb'), ['-D', data, '-U', 'doccat', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const port = await freePort();
  // fsync off for tests: the data folder is thrown away, and durability is not what they measure.
  const durability = options.durable ? '' : ' -c fsync=off';
  const settings = Object.entries(options.settings ?? {}).map(([name, value]) => ` -c ${name}=${value}`).join('');
  runAsServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${durability} -c max_connections=200${settings}`, 'start']);
  return {
    url: `postgres://doccat@127.0.0.1:${port}/postgres`,
    stop: async () => {
      runAsServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A new empty database on the server, for one test or one catalogue; returns its URL. */
export async function createDatabase(serverUrl, prefix = 'doccat_test') {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
