// @ts-nocheck
import { startLocalRuntime } from './runtime';

/**
 * `npm start`: the service on http://127.0.0.1:$PORT with DynamoDB Local, the event pipeline (stream →
 * stream handler → a local EventBridge sink) and the deleter (stream → deletions continued), until SIGINT
 * or SIGTERM.
 */
async function main() {
  const started = Date.now();
  const runtime = await startLocalRuntime({
    port: Number(process.env.PORT ?? 3000),
    inMemory: process.env.LOCAL_IN_MEMORY === '1',
    dir: process.env.LOCAL_DIR,
    eventsFile: process.env.LOCAL_EVENTS_FILE,
    pushFile: process.env.LOCAL_PUSH_FILE,
    // The functions' own settings (PUBLIC_BASE_URL, ALLOWED_ORIGINS, …), as on AWS.
    settings: process.env,
  });
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${reason}: stopping the server, the event pipeline and DynamoDB Local…`);
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // If whatever started us dies without a signal reaching us (kill -9 of npm, a closed terminal), stop too.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && void shutdown('Parent process exited'), 1000).unref();

  const { sid, authToken } = runtime.account;
  console.log(`Verify Push/TOTP service ready in ${Date.now() - started} ms
  API:          ${runtime.url}/v2/Services
  Public URL:   ${runtime.publicBaseUrl}
  DynamoDB:     local (pid ${runtime.dynamoPid})
  Events:       ${runtime.eventsFile} (one JSON line per event: tail -f it)
  Pushes:       ${runtime.push.file} (local APNs ${runtime.push.apns.url}, local FCM ${runtime.push.fcm.url})
  Webhooks:     sent for real, signed with the auth token below; http and private addresses allowed; each attempt printed
  Account SID:  ${sid}
  Auth token:   ${authToken}

Point twilio-node at it:

  const twilio = require('twilio');
  const client = twilio('${sid}', '${authToken}');
  client.verify.baseUrl = '${runtime.publicBaseUrl}';

or run the README quick start:

  ACCOUNT_SID=${sid} AUTH_TOKEN=${authToken} VERIFY_URL=${runtime.publicBaseUrl} node quickstart.mjs

Press Ctrl+C to stop.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
