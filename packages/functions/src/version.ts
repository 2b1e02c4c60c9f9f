// A named import, so the bundle holds the version string and not the whole package.json.
import { version } from "../../../package.json";

/** The product version reported by /api/health: the repository's package.json. */
export { version };
