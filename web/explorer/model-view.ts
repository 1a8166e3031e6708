import { ApiError, describeError, graphql } from './api';
import type { ModelInfo, ReportEntry, TrainingJob } from './api-types';
import { fill, h } from './dom';
import { MODEL, RETRAIN, TRAINING_JOB } from './queries';
import type { ViewContext } from './recommend-view';

const JOB_KEY = 'eran.trainingJob';
const POLL_MS = 1000;

/** The served model, its training metrics, retraining with live progress, and the evaluation reports. */
export class ModelView {
  private poll: number | undefined;
  private readonly modelArea = h('section', { class: 'model', 'aria-labelledby': 'model-title' });
  private readonly jobArea = h('div', { class: 'job', 'aria-live': 'polite' });

  constructor(
    private readonly root: HTMLElement,
    private readonly ctx: ViewContext,
  ) {}

  async show(): Promise<void> {
    fill(this.root, this.modelArea, this.retrainSection(), this.reportsSection());
    await this.renderModel();
    const jobId = storedJob();
    if (jobId !== null) this.follow(jobId);
  }

  /** Stops polling when another view takes over. */
  leave(): void {
    window.clearTimeout(this.poll);
  }

  private async renderModel(): Promise<void> {
    fill(this.modelArea, h('h2', { id: 'model-title' }, 'Served model'), h('p', { class: 'muted' }, 'Loading…'));
    try {
      const { model } = await graphql<{ model: ModelInfo }>(MODEL);
      fill(
        this.modelArea,
        h('h2', { id: 'model-title' }, 'Served model'),
        h(
          'dl',
          { class: 'facts' },
          ...fact('Version', h('code', { 'data-model-version': model.version }, model.version)),
          ...fact('Trained', new Date(model.trainedAt).toLocaleString()),
          ...fact('Dataset', model.dataset),
          ...fact('Attribute kinds', model.kinds.join(', ')),
          ...fact('Encoder widths', model.hidden.join(' → ')),
          ...fact('Items', `${model.items} (${model.trainedItems} at training, ${model.items - model.trainedItems} cold-start since)`),
          ...fact('Users', String(model.users)),
        ),
        h('h3', {}, 'Training metrics'),
        h(
          'table',
          { class: 'metrics' },
          h('caption', { class: 'visually-hidden' }, 'Training and validation figures of the served version'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'metric'), h('th', { scope: 'col' }, 'value'))),
          h('tbody', {}, ...model.metrics.map((m) => h('tr', {}, h('th', { scope: 'row' }, m.name), h('td', {}, metricText(m))))),
        ),
      );
    } catch (error) {
      const text = error instanceof ApiError && error.code === 'MODEL_NOT_READY' ? 'No model is trained yet: start a retrain below.' : describeError(error);
      fill(this.modelArea, h('h2', { id: 'model-title' }, 'Served model'), h('p', { class: 'error', role: 'alert' }, text));
    }
  }

  private retrainSection(): HTMLElement {
    const epochs = h('input', { id: 'retrain-epochs', type: 'number', min: 1, max: 500, value: 30, inputmode: 'numeric' });
    const seconds = h('input', { id: 'retrain-seconds', type: 'number', min: 1, placeholder: 'no limit', inputmode: 'numeric' });
    const button = h('button', { type: 'submit' }, 'Start retraining');
    const form = h(
      'form',
      { class: 'retrain', 'aria-labelledby': 'retrain-title' },
      h('div', { class: 'field' }, h('label', { for: 'retrain-epochs' }, 'Epochs at most'), epochs),
      h('div', { class: 'field' }, h('label', { for: 'retrain-seconds' }, 'Time budget (seconds)'), seconds),
      button,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const options: Record<string, number> = { epochs: Number(epochs.value) };
      if (seconds.value !== '') options.maxSeconds = Number(seconds.value);
      button.disabled = true;
      graphql<{ retrainModel: TrainingJob }>(RETRAIN, { options }, { key: this.ctx.key() }).then(
        ({ retrainModel }) => {
          button.disabled = false;
          storeJob(retrainModel.id);
          this.follow(retrainModel.id);
        },
        (error: unknown) => {
          button.disabled = false;
          fill(this.jobArea, h('p', { class: 'error', role: 'alert' }, describeError(error)));
        },
      );
    });
    return h(
      'section',
      { class: 'retrain-section', 'aria-labelledby': 'retrain-title' },
      h('h2', { id: 'retrain-title' }, 'Retrain'),
      h(
        'p',
        { class: 'muted' },
        'Trains a new version from the graph as it is now; it replaces the served one only if every step succeeds. Needs the write key (admin).',
      ),
      form,
      this.jobArea,
    );
  }

  private follow(jobId: string): void {
    window.clearTimeout(this.poll);
    const tick = async (): Promise<void> => {
      let job: TrainingJob;
      try {
        job = (await graphql<{ trainingJob: TrainingJob }>(TRAINING_JOB, { id: jobId })).trainingJob;
      } catch (error) {
        if (error instanceof ApiError && error.code === 'NOT_FOUND') storeJob(null);
        fill(this.jobArea, h('p', { class: 'error' }, describeError(error)));
        return;
      }
      this.renderJob(job);
      if (job.status === 'RUNNING') {
        this.poll = window.setTimeout(() => void tick(), POLL_MS);
        return;
      }
      storeJob(null);
      if (job.status === 'SUCCEEDED') {
        this.ctx.announce(`Retraining finished: ${job.modelVersion} is now serving.`);
        await this.renderModel();
      }
    };
    void tick();
  }

  private renderJob(job: TrainingJob): void {
    const progress = h('progress', { id: 'job-progress', max: Math.max(1, job.epochs), value: job.epoch });
    fill(
      this.jobArea,
      h(
        'div',
        { class: `job-card status-${job.status.toLowerCase()}`, 'data-job-id': job.id, 'data-status': job.status },
        h(
          'p',
          {},
          h('strong', {}, job.status === 'RUNNING' ? 'Retraining' : job.status === 'SUCCEEDED' ? 'Retrained' : 'Retraining failed'),
          ` · phase ${job.phase}`,
        ),
        h('label', { for: 'job-progress' }, `Epoch ${job.epoch} of at most ${job.epochs}`),
        progress,
        h(
          'p',
          { class: 'muted' },
          job.loss !== null ? `loss ${job.loss.toFixed(4)}` : '',
          job.validationNdcg !== null ? ` · validation nDCG@10 ${job.validationNdcg.toFixed(4)}` : '',
          job.modelVersion !== null ? ` · now serving ${job.modelVersion}` : '',
        ),
        job.error !== null ? h('p', { class: 'error' }, job.error) : null,
      ),
    );
  }

  private reportsSection(): HTMLElement {
    const list = h('div', { class: 'reports' }, h('p', { class: 'muted' }, 'Loading…'));
    void this.loadReports(list);
    return h('section', { class: 'reports-section', 'aria-labelledby': 'reports-title' }, h('h2', { id: 'reports-title' }, 'Evaluation reports'), list);
  }

  private async loadReports(target: HTMLElement): Promise<void> {
    try {
      const response = await fetch('/reports', { headers: { accept: 'application/json' } });
      const { reports } = (await response.json()) as { reports: ReportEntry[] };
      if (reports.length === 0) {
        fill(target, h('p', { class: 'muted' }, 'No reports on the server (run `eran evaluate --report reports/NAME`).'));
        return;
      }
      fill(
        target,
        ...reports.map((report, index) => {
          const body = h('div', { class: 'report-body' });
          const details = h('details', { class: 'report', 'data-report': report.name }, h('summary', {}, report.title), body);
          const load = (): void => {
            if (body.childElementCount > 0) return;
            body.append(h('p', { class: 'muted' }, 'Loading…'));
            // The markdown renderer is loaded only when a report is opened.
            void import('./report-view').then(
              (m) => m.renderReport(body, report),
              (error: unknown) => fill(body, h('p', { class: 'error' }, describeError(error))),
            );
          };
          details.addEventListener('toggle', () => details.open && load());
          if (index === 0) details.open = true;
          return details;
        }),
      );
    } catch (error) {
      fill(target, h('p', { class: 'error' }, describeError(error)));
    }
  }
}

/** Numbers to four significant digits (losses and nDCG print with sixteen otherwise). */
function metricText(metric: { text: string; value: number | null }): string {
  if (metric.value === null || Number.isInteger(metric.value)) return metric.text;
  return String(Number(metric.value.toPrecision(4)));
}

function fact(term: string, value: Node | string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function storedJob(): string | null {
  try {
    return sessionStorage.getItem(JOB_KEY);
  } catch {
    return null;
  }
}

function storeJob(id: string | null): void {
  try {
    if (id === null) sessionStorage.removeItem(JOB_KEY);
    else sessionStorage.setItem(JOB_KEY, id);
  } catch {
    // Without storage a reload just stops following the job; it still runs on the server.
  }
}
