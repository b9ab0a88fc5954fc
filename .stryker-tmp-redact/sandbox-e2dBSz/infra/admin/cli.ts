// @ts-nocheck
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { saveAccount } from '../../shared/app/accounts';
import { accountTokenSealer } from '../../shared/crypto';
import { newAccount, newApiKey } from '../../shared/domain/credentials';
import { sidPattern } from '../../shared/domain/sid';
import { loadConfig } from '../../shared/config';
import { dependencies } from '../../shared/dependencies';

const USAGE = `Usage: npm run admin -- <command> --table <TableName> [--kms-key <KmsKeyArn>] [--endpoint <url>]

Commands:
  create-account                      a new account; prints its SID and auth token (shown once)
  rotate-token   --account AC…        a new auth token for the account; the old one stops working
  create-api-key --account AC… [--name <friendly name>]
                                      a new API key (SK…) for the account; prints its secret (shown once)

--table defaults to $TABLE_NAME. On AWS, use the stack's TableName output and your usual AWS credentials
(AWS_PROFILE / AWS_REGION). --endpoint points at DynamoDB Local instead.
create-account and rotate-token keep the auth token sealed (so webhooks can be signed with it) with the
stack's KmsKeyArn output: --kms-key, default $KMS_KEY_ID (or $LOCAL_MASTER_KEY_FILE for a local table).`;

/** Runs one admin command and returns what it prints. Exported for tests. */
export async function runAdmin(argv: string[]): Promise<string> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      table: { type: 'string' },
      endpoint: { type: 'string' },
      'kms-key': { type: 'string' },
      account: { type: 'string' },
      name: { type: 'string', default: 'admin' },
    },
  });
  const [command] = positionals;
  const table = values.table ?? process.env.TABLE_NAME;
  if (!command || !table) throw new Error(USAGE);
  const config = loadConfig({
    TABLE_NAME: table,
    DYNAMODB_ENDPOINT: values.endpoint ?? process.env.DYNAMODB_ENDPOINT,
    KMS_KEY_ID: values['kms-key'] ?? process.env.KMS_KEY_ID,
    LOCAL_MASTER_KEY_FILE: process.env.LOCAL_MASTER_KEY_FILE,
  });
  const deps = dependencies(config, {}, { tokenSealer: accountTokenSealer });
  const { accounts } = deps;
  const sealable = () => {
    if (!config.kmsKeyId && !config.localMasterKeyFile) {
      throw new Error(
        'Give --kms-key <KmsKeyArn from the stack outputs>: the auth token is kept sealed with it',
      );
    }
  };
  const now = new Date();

  const existingAccount = async () => {
    const sid = values.account ?? '';
    if (!sidPattern('AC').test(sid)) throw new Error('--account must be an account SID (AC…)');
    if (!(await accounts.getAccount(sid))) throw new Error(`No account ${sid} in ${table}`);
    return sid;
  };

  switch (command) {
    case 'create-account': {
      sealable();
      const { account, authToken } = newAccount(now);
      await saveAccount(deps, account, authToken);
      return `Account SID: ${account.sid}\nAuth token:  ${authToken}\n(The token is not stored and cannot be shown again.)`;
    }
    case 'rotate-token': {
      sealable();
      const sid = await existingAccount();
      const { account, authToken } = newAccount(now, undefined, sid);
      await saveAccount(deps, account, authToken);
      return `Account SID: ${sid}\nAuth token:  ${authToken}\n(Warm functions may accept the old token for a few seconds: CREDENTIAL_CACHE_TTL_MS, 5 s by default.)`;
    }
    case 'create-api-key': {
      const { apiKey, secret } = newApiKey(await existingAccount(), values.name, now);
      await accounts.putApiKey(apiKey);
      return `API key SID: ${apiKey.sid}\nSecret:      ${secret}\nUse: twilio('${apiKey.sid}', secret, { accountSid: '${apiKey.accountSid}' })`;
    }
    default:
      throw new Error(`Unknown command ${command}\n\n${USAGE}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAdmin(process.argv.slice(2)).then(
    (output) => console.log(output),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
