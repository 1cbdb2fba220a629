import { startStack } from '../test/helpers/stack.js';
import { SEARCH } from './scenarios/search.js';
const s = await startStack({
  sandbox: { limits: { dataPerMinute: 1e9, dataPerHour: 1e9, aggregatePerMinute: 1e9, aggregatePerHour: 1e9 } },
  limits: { data: { perMinute: 1e9, perHour: 1e9 }, expired_jobs: { perMinute: 1e9, perHour: 1e9 }, aggregate_data: { perMinute: 1e9, perHour: 1e9 } },
});
let n = 0;
const run = async (count: number) => {
  for (let i = 0; i < count; i++) {
    const r = await s.gql(SEARCH, { f: { keywords: 'engineer', salary: { min: 50000 + ++n / 1000 } } });
    if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  }
};
await run(200);
const t0 = process.cpuUsage();
const w0 = Date.now();
await run(500);
const d = process.cpuUsage(t0);
console.log('cpu ms/req (app+sandbox in-process)', (d.user + d.system) / 1000 / 500, 'wall', (Date.now() - w0) / 500);
s.sandbox.clearLog();
await s.close();
