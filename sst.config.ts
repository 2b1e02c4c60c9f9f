import type { SSTConfig } from "sst";
import { Api } from "./stacks/Api";
import { Auth } from "./stacks/Auth";
import { Events } from "./stacks/Events";
import { functionDefaults } from "./stacks/functionDefaults";
import { acceptSstInternals } from "./stacks/nag";
import { isProductionStage } from "./stacks/stages";
import { Storage } from "./stacks/Storage";
import { Web } from "./stacks/Web";
import { Workflow } from "./stacks/Workflow";

/**
 * SST v2 app. The stacks are built from the definitions the local runtime also runs:
 * packages/core/src/definitions and packages/core/src/store/table.ts.
 */
export default {
  config(input) {
    return { name: "amelia", region: input.region ?? process.env.AWS_REGION ?? "us-east-1" };
  },
  stacks(app) {
    app.setDefaultFunctionProps(functionDefaults());
    // A personal stage is removed with everything in it; a production stage keeps its data.
    if (!isProductionStage(app.stage)) app.setDefaultRemovalPolicy("destroy");
    app.stack(Storage).stack(Auth).stack(Events).stack(Workflow).stack(Api).stack(Web);
    acceptSstInternals(app);
  },
} satisfies SSTConfig;
