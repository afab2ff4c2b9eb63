// Import rules of #12 §7, checked by `npm run lint` (and by tests/unit/dependency-rules.test.ts).
// Type-only imports count: a cycle through types still ties the modules' designs together.
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules depend one way; a domain reacts to another through events or the composition root.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-repository-in-routes-or-views',
      severity: 'error',
      comment: 'Routes, views and the console call services; only services (and jobs) touch repositories.',
      from: { path: ['\\.(routes|views)\\.ts$', '^src/console/'], pathNot: '\\.(service|repository)\\.ts$' },
      to: { path: '\\.repository\\.ts$' },
    },
    {
      name: 'db-imports-nothing-above-it',
      severity: 'error',
      comment: 'src/db is the bottom layer: it imports no other folder of src.',
      from: { path: '^src/db/' },
      to: { path: '^src/', pathNot: '^src/db/' },
    },
    {
      name: 'events-know-no-subscriber',
      severity: 'error',
      comment: 'The domain events import no domain: a publisher never learns who subscribes (hotline.ts wires them).',
      from: { path: '^src/events/' },
      to: { path: '^src/', pathNot: '^src/(db|events)/' },
    },
    {
      name: 'routing-runs-on-events',
      severity: 'error',
      comment: 'Cases, referrals and channels publish events; only routing itself and the composition root call the router.',
      from: { path: '^src/', pathNot: ['^src/routing/', '^src/hotline\\.ts$', '^src/seed/'] },
      to: { path: '^src/routing/routing\\.service\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
