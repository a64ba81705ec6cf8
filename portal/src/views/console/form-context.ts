import { computed, inject, nextTick, provide, reactive, ref, type ComputedRef, type InjectionKey, type Ref } from 'vue'
import {
  claimsOf,
  emptyValue,
  fieldPointers,
  nearestShown,
  serverProblem,
  validateForm,
  type FieldProblem,
  type FormObject,
  type SchemaNode,
} from './schema-form'

/** What every field of a generated form shares: the checks, which fields were touched, the service's refusals. */
export interface FormContext {
  /** The problem to show at `pointer` now (the service's, or the form's once the field was touched or sent). */
  problemAt(pointer: string): FieldProblem | undefined
  /** The field at `pointer` was edited or left: its checks show from now on, and the service's refusal is gone. */
  touch(pointer: string): void
  /** The id of the input at `pointer` (its label, help and error are tied to it). */
  idOf(pointer: string): string
  /** Fields shown but not editable (a transfer keeps the seller's unit number). */
  isLocked(pointer: string): boolean
}

const FORM_CONTEXT: InjectionKey<FormContext> = Symbol('console.schemaForm')

export function useFormContext(): FormContext {
  const context = inject(FORM_CONTEXT)
  if (!context) throw new Error('a schema field needs useSchemaForm() in a parent component')
  return context
}

/**
 * A generated form's state for the page that owns it (and its fields, through provide/inject): the model, the
 * checks as the clerk types, the service's field errors placed on their fields, and the claims to send.
 *
 * @example
 * const form = useSchemaForm(schema, 'issue')
 * if (form.check()) await createOffer({ type, claims: form.claims() })
 */
export function useSchemaForm(schema: Ref<SchemaNode | undefined>, idPrefix: string, locked: ReadonlySet<string> = new Set()) {
  const model = ref<FormObject>({})
  const touched = reactive(new Set<string>())
  const fromService = reactive(new Map<string, FieldProblem>())
  /** Problems of the form as a whole (the service's with no field to show them on). */
  const general = ref<FieldProblem[]>([])
  const sent = ref(false)

  const problems: ComputedRef<Map<string, FieldProblem>> = computed(() =>
    schema.value ? validateForm(schema.value, model.value) : new Map(),
  )

  const context: FormContext = {
    problemAt: (pointer) => fromService.get(pointer) ?? (sent.value || touched.has(pointer) ? problems.value.get(pointer) : undefined),
    touch(pointer) {
      touched.add(pointer)
      // The service's refusal of this field, or of a group it is in (the owners' shares), is answered by the edit.
      for (const at of [...fromService.keys()]) if (at === pointer || pointer.startsWith(`${at}/`)) fromService.delete(at)
    },
    idOf: (pointer) => `${idPrefix}${pointer.replace(/\//g, '-') || '-form'}`,
    isLocked: (pointer) => locked.has(pointer),
  }
  provide(FORM_CONTEXT, context)

  /** Starts over: the empty form, or one filled with `value`. */
  function reset(value?: FormObject) {
    model.value = value ?? (schema.value ? (emptyValue(schema.value) as FormObject) : {})
    touched.clear()
    fromService.clear()
    general.value = []
    sent.value = false
  }

  /** Shows every problem; true when there is none (the form may be sent). Moves the focus to the first problem. */
  function check(): boolean {
    sent.value = true
    const ok = problems.value.size === 0
    if (!ok) focusFirstProblem()
    return ok
  }

  /** Places the service's 422 details on their fields (or the nearest group shown); returns how many it placed. */
  function showServiceProblems(details: unknown): number {
    if (!schema.value || !Array.isArray(details)) return 0
    const shown = new Set(fieldPointers(schema.value, model.value))
    let placed = 0
    for (const detail of details) {
      const found = serverProblem(detail)
      if (!found) continue
      const at = nearestShown(found.pointer, shown)
      if (at === '') general.value = [...general.value, found.problem]
      else fromService.set(at, found.problem)
      placed++
    }
    if (placed > 0) focusFirstProblem()
    return placed
  }

  const problemCount = computed(() => new Set([...problems.value.keys(), ...fromService.keys()]).size + general.value.length)

  return {
    model,
    problems,
    problemCount,
    general,
    reset,
    check,
    showServiceProblems,
    claims: () => (schema.value ? claimsOf(schema.value, model.value) : {}),
  }
}

function focusFirstProblem() {
  void nextTick(() => {
    const first = document.querySelector<HTMLElement>(
      '.schema-form .is-error input:not([type="checkbox"]), .schema-form .is-error textarea, .schema-form .group-invalid',
    )
    first?.focus()
    first?.scrollIntoView({ block: 'center' })
  })
}
