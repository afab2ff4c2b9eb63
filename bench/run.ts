import { runAttachmentsBenchmark } from './attachments.bench';
import { runConsoleBenchmark } from './console.bench';
import { runInboxBenchmark } from './inbox.bench';
import { runKeyMigrationBenchmark } from './key-migration.bench';
import { runPipelineBenchmark } from './pipeline.bench';
import { runSmsBenchmark } from './sms.bench';
import { runStartupBenchmark } from './startup.bench';
import { runStatsBenchmark } from './stats.bench';

// `npm run bench -- <name>`: each benchmark prints Markdown for docs/benchmarks.md.

const BENCHMARKS: Record<string, () => Promise<void>> = {
  startup: runStartupBenchmark,
  sms: runSmsBenchmark,
  stats: runStatsBenchmark,
  inbox: runInboxBenchmark,
  pipeline: runPipelineBenchmark,
  attachments: runAttachmentsBenchmark,
  console: runConsoleBenchmark,
  'key-migration': runKeyMigrationBenchmark,
};

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  for (const name of selected) {
    const benchmark = BENCHMARKS[name];
    if (!benchmark) {
      process.stderr.write(`unknown benchmark ${name}; choose from ${Object.keys(BENCHMARKS).join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    await benchmark();
  }
}

void main();
