import { messagingEnvSchema } from '@app/messaging';
import { isolatedEnvironment } from '@app/messaging/testing';
import { Client } from 'pg';
import { SideConnection } from '../../apps/payments/src/domain/side-connection';

/** Found by the chaos run: payments ended when Postgres restarted during a charge request. */
describe('payments side connection', () => {
  it('regression: the server ending the connection mid-transaction fails the transaction instead of ending the process', async () => {
    const env = await isolatedEnvironment();
    const { database } = messagingEnvSchema.parse(env);
    const side = new SideConnection(database, 'public', 'side-connection-spec');
    const admin = new Client({ host: database.host, port: database.port, user: database.user, password: database.password, database: database.database });
    await admin.connect();
    try {
      const attempt = side.transaction(async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // Terminated while idle in its transaction, as when a handler waits on the provider.
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        await waitUntilGone(admin, rows[0].pid);
        await client.query('SELECT 1');
      });
      await expect(attempt).rejects.toThrow();
      // The pool hands out a working connection afterwards: the broken one was discarded.
      await expect(side.query<{ one: number }>('SELECT 1 AS one', [])).resolves.toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await side.end();
    }
  });
});

async function waitUntilGone(admin: Client, pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount) {
    if (Date.now() > deadline) throw new Error(`backend ${pid} still there after 10 s`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
