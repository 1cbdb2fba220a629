// Where the main thread's time (a .cpuprofile) or the allocations (a .heapprofile) of bench/profile.ts go, by the layer's jobs:
//   npx tsx bench/attribute.ts <file.cpuprofile|file.heapprofile> <answers> [bundle source map, default the bench's bundle]
// (bench/profile.ts prints this itself when BENCH_PROFILE is set; this reads a profile kept from before.)
import { attribute, attributeHeap, printAttribution, printHeapAttribution } from './lib/attribute.js';
import { SERVER_BUNDLE_MAP } from './lib/proc.js';

const [file, answers, map = SERVER_BUNDLE_MAP] = process.argv.slice(2);
if (!file || !(Number(answers) > 0)) {
  console.error('usage: npx tsx bench/attribute.ts <file.cpuprofile> <answers> [bundle.js.map]');
  process.exitCode = 2;
} else {
  if (file.endsWith('.heapprofile')) printHeapAttribution(attributeHeap(file, Number(answers), map));
  else printAttribution(attribute(file, Number(answers), map));
}
