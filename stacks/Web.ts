import { StaticSite, use, type StackContext } from "sst/constructs";
import { Api } from "./Api";
import { Events } from "./Events";

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
  });
  stack.addOutputs({
    WebUrl: site.url ?? "(not deployed in sst dev: npm run dev in packages/web)",
  });
  return { site };
}
