/** A labelled <select> over a map of value → label; the type of `value` sets the options'. */
export function Choice<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: Record<NoInfer<T>, string>;
  onChange(value: NoInfer<T>): void;
}) {
  return (
    <label className="choice">
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value as T)}>
        {(Object.entries(options) as [T, string][]).map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
