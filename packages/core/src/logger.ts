import { Logger } from "@aws-lambda-powertools/logger";

/** Structured JSON logs (level from POWERTOOLS_LOG_LEVEL). Never log task tokens or keys. */
export const logger = new Logger({ serviceName: "amelia" });
