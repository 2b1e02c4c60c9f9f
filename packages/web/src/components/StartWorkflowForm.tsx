import { useRef, useState, type FormEvent } from "react";
import { ApiError, parseBudget, type CreateWorkflowInput } from "@amelia/client";
import { navigate, workflowHref } from "../router";
import { useServices } from "../services";
import { ErrorMessage } from "./ErrorMessage";

type Field = keyof Required<CreateWorkflowInput>;

/**
 * Starts a workflow. The API validates it; its errors show next to the fields they name. The
 * budget, typed as text, is read here first: a number the API would refuse is not sent.
 */
export function StartWorkflowForm() {
  const { api } = useServices();
  const [values, setValues] = useState<Record<Field, string>>({
    issueId: "",
    title: "",
    description: "",
    repository: "",
    budgetUsd: "",
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [budgetProblem, setBudgetProblem] = useState<string>();
  const budgetInput = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const input: CreateWorkflowInput = { issueId: values.issueId.trim() };
    for (const name of ["title", "description", "repository"] as const) {
      const value = values[name].trim();
      if (value) input[name] = value;
    }
    const budget = values.budgetUsd.trim() ? parseBudget(values.budgetUsd) : undefined;
    if (budget && "problem" in budget) {
      setBudgetProblem(`The budget ${budget.problem}.`);
      budgetInput.current?.focus();
      return;
    }
    setBudgetProblem(undefined);
    if (budget) input.budgetUsd = budget.budgetUsd;
    setBusy(true);
    try {
      const workflow = await api.createWorkflow(input);
      navigate(workflowHref(workflow.id));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  const issueOf = (field: Field) =>
    field === "budgetUsd" && budgetProblem
      ? budgetProblem
      : error instanceof ApiError
        ? error.fieldIssues.find((i) => i.field === field)?.message
        : undefined;
  const field = (name: Field, label: string, hint?: string) => {
    const issue = issueOf(name);
    const props = {
      id: `start-${name}`,
      name,
      value: values[name],
      onChange: (event: { target: { value: string } }) =>
        setValues((current) => ({ ...current, [name]: event.target.value })),
      "aria-invalid": issue ? true : undefined,
      "aria-describedby": issue ? `start-${name}-issue` : undefined,
    };
    return (
      <div className="field">
        <label htmlFor={props.id}>
          {label} {hint && <span className="muted">{hint}</span>}
        </label>
        {name === "description" ? (
          <textarea rows={3} {...props} />
        ) : name === "budgetUsd" ? (
          <input autoComplete="off" inputMode="decimal" ref={budgetInput} {...props} />
        ) : (
          <input autoComplete="off" aria-required={name === "issueId"} {...props} />
        )}
        {issue && (
          <span className="field-issue" id={`start-${name}-issue`}>
            {issue}
          </span>
        )}
      </div>
    );
  };

  return (
    <section className="card" aria-labelledby="start-heading">
      <h2 id="start-heading">Start a workflow</h2>
      <form onSubmit={submit} noValidate>
        {field("issueId", "Issue ID", "e.g. ISSUE-42")}
        {field("title", "Title", "(optional)")}
        {field("description", "Description", "(optional)")}
        {field("repository", "Repository", "(optional: a git work tree on the server)")}
        {field(
          "budgetUsd",
          "Budget",
          "(optional: US dollars its models may spend, e.g. 5; none: the server's default)",
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Starting…" : "Start workflow"}
        </button>
        <ErrorMessage error={error} />
      </form>
    </section>
  );
}
