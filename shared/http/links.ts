/** Absolute resource URLs under the public base URL (`…/v2/…`), as Twilio returns them. */
export const Links = {
  service: (base: string, sid: string) => `${base}/v2/Services/${sid}`,
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
