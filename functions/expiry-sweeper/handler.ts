import { sweepExpired } from '../../shared/app/expiry';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import { EXPIRY_LOOKBACK_MINUTES } from '../../shared/store/expiry';

/**
 * Scheduled every minute (an EventBridge rule; locally a timer): marks the challenges that expired since
 * the last sweeps `expired`, so `challenge.expired` follows within about a minute of the expiration date
 * instead of whenever DynamoDB's TTL deletes the timer item (which stays as the safety net).
 */
export const build = (deps: Dependencies) => async (_event?: unknown, _context?: unknown) => {
  const result = await sweepExpired(deps, EXPIRY_LOOKBACK_MINUTES);
  if (result.due > 0) console.log(JSON.stringify({ level: 'INFO', message: 'Expiry sweep', ...result }));
  return result;
};

export const handler = fromEnvironment(build);
