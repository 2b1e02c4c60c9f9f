import { ApiError } from "@amelia/client";

/** An error as the person should read it: the API's message, its code, and any bad fields. */
export function ErrorMessage({ error, id }: { error: unknown; id?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const issues = error instanceof ApiError ? error.fieldIssues : [];
  return (
    <div className="error" role="alert" id={id}>
      <p>
        {message}
        {error instanceof ApiError && error.status > 0 && (
          <span className="error-code"> ({error.code})</span>
        )}
      </p>
      {issues.length > 0 && (
        <ul>
          {issues.map((issue) => (
            <li key={`${issue.field}:${issue.message}`}>
              <code>{issue.field}</code>: {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
