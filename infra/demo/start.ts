import { startDemoServer } from './server';
import { demoSettings } from './settings';

/**
 * `npm run demo`: the demo web app on http://localhost:$DEMO_PORT, a site that signs people in with
 * passkeys, TOTP and push through the Verify service at $VERIFY_URL (run `npm start` first).
 */
async function main() {
  const settings = demoSettings();
  const demo = await startDemoServer(settings);
  console.log(`Verify demo ready: open ${demo.url} in Chromium (or any browser with passkeys)
  Verify:   ${settings.verifyUrl} (service ${demo.serviceSid}, passkeys for ${demo.url} only)
  Events:   ${settings.eventsFile}

Press Ctrl+C to stop.`);
  const shutdown = () => void demo.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(`The demo could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
