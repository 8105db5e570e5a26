// `alloy run CONFIG_FILE [flags]`
import * as grpc from '@grpc/grpc-js';
import { startAlloy } from '../app.js';
import { parseDuration } from '../syntax/duration.js';
import { LOG_LEVELS, type LogFormat } from '../runtime/logger.js';
import { parseStabilityLevel, type StabilityLevel } from '../runtime/stability.js';
import { FlagError, flagHelp, parseFlags, runFlags, type FlagDef } from './flags.js';
import { clusterFactory, clusterFlagDefs } from './cluster.js';

export function allRunFlags(): FlagDef[] {
  return [...runFlags, ...clusterFlagDefs()];
}

export async function runCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`Usage: alloy run CONFIG_FILE|DIR [flags]\n\nA directory: every *.alloy file in it, as one config.\n\nFlags:\n${flagHelp(allRunFlags())}\n`);
    return 0;
  }
  const { flags, positionals } = parseFlags(argv, allRunFlags());
  // grpc-js prints its own errors ("E No address added ...") to stderr; the cluster
  // reports every gossip failure through our logger, so it stays quiet unless asked (GRPC_VERBOSITY).
  if (!process.env.GRPC_VERBOSITY) grpc.setLogVerbosity(grpc.logVerbosity.NONE);
  if (positionals.length !== 1) throw new FlagError('alloy run needs exactly one CONFIG_FILE or directory argument');
  const minStability = stabilityFlag(flags['stability.level']);
  const level = String(flags['log.level']);
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new FlagError(`--log.level must be one of ${LOG_LEVELS.join(', ')}`);
  const format = String(flags['log.format']);
  if (format !== 'json' && format !== 'logfmt') throw new FlagError('--log.format must be json or logfmt');
  let watch: number;
  try {
    watch = parseDuration(String(flags['config.watch-interval']));
  } catch (e) {
    throw new FlagError(`--config.watch-interval: ${(e as Error).message}`);
  }

  const alloy = await startAlloy({
    configFile: positionals[0],
    listenAddr: String(flags['server.http.listen-addr']),
    storagePath: String(flags['storage.path']),
    logLevel: level,
    logFormat: format as LogFormat,
    uiPathPrefix: String(flags['server.http.ui-path-prefix']),
    configWatchIntervalMs: watch,
    cluster: clusterFactory(flags),
    minStability,
  });

  process.on('SIGHUP', () => {
    alloy.reload().then(
      () => alloy.logger.info('reloaded on SIGHUP'),
      (e) => alloy.logger.error({ err: (e as Error).message }, 'reload on SIGHUP rejected; keeping the running config'),
    );
  });
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      alloy.logger.info({ signal: sig }, 'shutting down');
      alloy.shutdown().finally(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

/** --stability.level, as Alloy spells its values. */
export function stabilityFlag(v: string | boolean | undefined): StabilityLevel {
  try {
    return parseStabilityLevel(String(v ?? 'generally-available'));
  } catch (e) {
    throw new FlagError(`--stability.level: ${(e as Error).message}`);
  }
}
