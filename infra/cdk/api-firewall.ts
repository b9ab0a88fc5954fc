import { Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface ApiFirewallProps {
  /** The API stage the web ACL guards. */
  stage: Stage;
  /** Requests one client IP address may send per 5-minute window; past it, it gets 429s until it slows down. */
  rateLimitPer5Minutes: number;
  /** The JSON body of the 429 (Twilio-shaped, like the API's own errors). */
  tooManyRequestsBody: string;
  /** Headers of the 429, e.g. CORS, so that a browser can read it. */
  responseHeaders?: Record<string, string>;
}

/**
 * An AWS WAF web ACL on the API stage with one rule: a rate limit per client IP address, so that one
 * address cannot take the stage's whole throttle budget. No managed rule groups: the common rule set's body
 * size and content rules would block legitimate Twilio-shaped form bodies, and the API checks every
 * parameter itself. Metrics and sampled requests are on for the web ACL and the rule.
 */
export class ApiFirewall extends Construct {
  /** The 5-minute window WAF counts each address's requests over (WAF's default). */
  static readonly EVALUATION_WINDOW_SECONDS = 300;
  readonly webAcl: CfnWebACL;
  /** The web ACL's CloudWatch metric name (WAFV2 `WebACL` dimension). */
  readonly metricName: string;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const metricPrefix = Stack.of(this).stackName;
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });

    this.metricName = `${metricPrefix}-Api`;
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      description: 'Rate limit per client IP address for the Verify API',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(this.metricName),
      customResponseBodies: {
        TooManyRequests: { contentType: 'APPLICATION_JSON', content: props.tooManyRequestsBody },
      },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          statement: {
            rateBasedStatement: {
              // The address the connection comes from: clients reach a regional endpoint directly.
              aggregateKeyType: 'IP',
              limit: props.rateLimitPer5Minutes,
              evaluationWindowSec: ApiFirewall.EVALUATION_WINDOW_SECONDS,
            },
          },
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: 'TooManyRequests',
                responseHeaders: props.responseHeaders && customHeaders(props.responseHeaders),
              },
            },
          },
          visibilityConfig: visibility(`${metricPrefix}-RateLimitPerIp`),
        },
      ],
    });

    // The stage's ARN refers to the stage, so the association follows its creation.
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}

const customHeaders = (headers: Record<string, string>) =>
  Object.entries(headers).map(([name, value]) => ({ name, value }));
