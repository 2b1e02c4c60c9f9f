/** The product version reported by /api/health. */
export const version = "0.1.0";
