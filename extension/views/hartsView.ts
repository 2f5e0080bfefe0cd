/**
 * The Harts and Processes view (`xv6.harts`): what runs where. One row per hart from
 * `xv6.harts` (privilege mode, function, process, idle), then a Processes group with the
 * process table from `xv6.processes` (or the adapter's note when it cannot be read).
 */
import type { ProcessesResponse } from '../../adapter/protocol';
import { hartRow, processesHeaderRow, processTableRow } from './model/harts';
import { listedProcesses } from './model/pageTables';
import type { Row } from './model/rows';
import { messageNode, RowNode, ViewNode, Xv6TreeProvider } from './node';
import type { SessionWatch } from './session';

class GroupNode extends RowNode {
  constructor(
    row: Row,
    private readonly kids: (parent: ViewNode) => ViewNode[],
  ) {
    super(undefined, row);
  }
  override getChildren(): Promise<ViewNode[]> {
    return Promise.resolve(this.kids(this));
  }
}

export class HartsProvider extends Xv6TreeProvider {
  constructor(private readonly watch: SessionWatch) {
    super();
  }

  protected override async loadRoots(): Promise<ViewNode[]> {
    const s = this.watch.session;
    if (!s) {
      this.setMessage('Start an xv6 debug session to see its harts and processes.');
      return [];
    }
    if (!this.watch.ready) {
      this.setMessage('The xv6 debug session is starting…');
      return [];
    }
    let procs: ProcessesResponse | undefined;
    let procsError: unknown;
    const [harts] = await Promise.all([
      this.watch.snapshot('xv6.harts'),
      this.watch.snapshot('xv6.processes').then(
        (p) => (procs = p),
        (e: unknown) => (procsError = e),
      ),
    ]);
    this.setMessage(
      harts.running
        ? 'The guest is running: these values are a snapshot; pause to see where it is.'
        : undefined,
    );
    const prefix = s.id;
    const stopped = harts.running ? undefined : this.watch.stoppedHart;
    const nodes: ViewNode[] = harts.harts.map(
      (h) => new RowNode(undefined, hartRow(h, h.hart === stopped, prefix)),
    );
    if (!procs) {
      nodes.push(messageNode(undefined, `${prefix}/processes-error`, procsError));
      return nodes;
    }
    const list = listedProcesses(procs.processes);
    const note = list.length ? undefined : procs.note;
    nodes.push(
      new GroupNode(processesHeaderRow(list.length, prefix, note), (parent) =>
        list.map((p) => new RowNode(parent, processTableRow(p, prefix))),
      ),
    );
    return nodes;
  }
}
