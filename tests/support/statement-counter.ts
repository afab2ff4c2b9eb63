import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/** A Kysely plugin that counts the statements run through a handle, and hands the count over. */
export interface StatementCounter extends KyselyPlugin {
  /** The statements run since the last call, and a fresh count from zero. */
  take(): number;
}

/**
 * Counts the statements the database runs (BEGIN and COMMIT aside): each executed statement's
 * result passes `transformResult` once, a subquery built inside it does not.
 */
export function createStatementCounter(): StatementCounter {
  let count = 0;
  return {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      count += 1;
      return args.result;
    },
    take() {
      const taken = count;
      count = 0;
      return taken;
    },
  };
}
