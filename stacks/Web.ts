import { Duration, type Stack } from "aws-cdk-lib";
import {
  HeadersFrameOption,
  HeadersReferrerPolicy,
  ResponseHeadersPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { StaticSite, use, type StackContext } from "sst/constructs";
import { Api } from "./Api";
import { Events } from "./Events";
import { accept } from "./nag";

/**
 * What the page may load: its own scripts and styles only (no inline script), images of its own
 * or `data:`, and connections to the API and the WebSocket only, so rendered agent text cannot
 * reach the network. No site may frame it.
 */
export function contentSecurityPolicy(apiUrl: string, webSocketUrl: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${apiUrl} ${webSocketUrl}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The web UI as a static site (S3 + CloudFront), built against the deployed endpoints. */
export function Web({ stack }: StackContext) {
  const { api } = use(Api);
  const { webSocketUrl } = use(Events);
  const site = new StaticSite(stack, "Site", {
    path: "packages/web",
    buildCommand: "npm run build",
    buildOutput: "dist",
    // Client-side routes (/workflows/<id>) load the app on a reload.
    errorPage: "redirect_to_index_page",
    environment: { VITE_API_URL: api.url, VITE_WS_URL: webSocketUrl },
    cdk: {
      bucket: { enforceSSL: true },
      distribution: {
        defaultBehavior: { responseHeadersPolicy: securityHeaders(stack, api.url, webSocketUrl) },
      },
    },
  });
  accept(site, [
    {
      id: "AwsSolutions-CFR1",
      reason:
        "Served worldwide on purpose: the same static files for everyone, the API behind the token",
    },
    {
      id: "AwsSolutions-CFR2",
      reason: "No WAF: the static UI takes no input, and the API authorizes every request itself",
    },
    {
      id: "AwsSolutions-S1",
      reason: "The bucket holds the UI's public build, read only through CloudFront",
    },
    {
      id: "AwsSolutions-CFR3",
      reason:
        "The same static files for everyone; who did what is in the API's access logs and the event log",
    },
    {
      id: "AwsSolutions-CFR4",
      reason:
        "The default *.cloudfront.net certificate fixes the minimum TLS version; a custom domain would set TLSv1.2_2021",
    },
    {
      id: "AwsSolutions-CFR7",
      reason:
        "SST v2's StaticSite reads the private bucket through an origin access identity (OAI), not OAC",
    },
  ]);
  stack.addOutputs({
    WebUrl: site.url ?? "(not deployed in sst dev: npm run dev in packages/web)",
  });
  return { site };
}

/** The CSP and the usual security headers, on every response of the distribution. */
function securityHeaders(stack: Stack, apiUrl: string, webSocketUrl: string) {
  return new ResponseHeadersPolicy(stack, "SecurityHeaders", {
    comment: "Amelia web UI: CSP and security headers",
    securityHeadersBehavior: {
      contentSecurityPolicy: {
        contentSecurityPolicy: contentSecurityPolicy(apiUrl, webSocketUrl),
        override: true,
      },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(730),
        includeSubdomains: true,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
    },
  });
}
