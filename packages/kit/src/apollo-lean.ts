import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';

/**
 * What every Apollo server of the platform (each subgraph and the gateway) turns off or replaces,
 * measured in the CPU profiles of issue 14 (docs/benchmarks.md):
 * - the cache-control and inline-trace plugins, which Apollo installs by itself, hook every field
 *   resolution, so Apollo wraps every resolver of every request; nothing here sets cache hints or
 *   reads federated traces;
 * - Apollo's default response serializer pretty-prints with two-space indentation (≈7% of the
 *   gateway's busy time); machines read these answers.
 */
export function leanApolloOptions<TContext extends BaseContext>(): {
  plugins: ApolloServerPlugin<TContext>[];
  stringifyResult: (value: unknown) => string;
} {
  return {
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled()],
    stringifyResult: (value) => JSON.stringify(value),
  };
}
