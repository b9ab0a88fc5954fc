/** Absolute resource URLs under the public base URL (`…/v2/…`, Notify's `…/v1/…`), as Twilio returns them. */
// @ts-nocheck

export const Links = {
  pushCredentials: (base: string) => `${base}/v1/Credentials`,
  pushCredential: (base: string, sid: string) => `${Links.pushCredentials(base)}/${sid}`,
  service: (base: string, sid: string) => `${base}/v2/Services/${sid}`,
  webhooks: (base: string, serviceSid: string) => `${Links.service(base, serviceSid)}/Webhooks`,
  webhook: (base: string, serviceSid: string, sid: string) => `${Links.webhooks(base, serviceSid)}/${sid}`,
  entities: (base: string, serviceSid: string) => `${Links.service(base, serviceSid)}/Entities`,
  entity: (base: string, serviceSid: string, identity: string) =>
    `${Links.entities(base, serviceSid)}/${encodeURIComponent(identity)}`,
  factors: (base: string, serviceSid: string, identity: string) =>
    `${Links.entity(base, serviceSid, identity)}/Factors`,
  factor: (base: string, serviceSid: string, identity: string, sid: string) =>
    `${Links.factors(base, serviceSid, identity)}/${sid}`,
  challenges: (base: string, serviceSid: string, identity: string) =>
    `${Links.entity(base, serviceSid, identity)}/Challenges`,
  challenge: (base: string, serviceSid: string, identity: string, sid: string) =>
    `${Links.challenges(base, serviceSid, identity)}/${sid}`,
};
