import type { CampaignState, CampaignSummary, MessageStatus, ScheduleMode, StatusCounts } from '../api.ts';
import { FINAL_STATUSES, MESSAGE_STATUSES, sqlList, type GatewayMode } from '../../../shared/vocabulary.ts';

export interface CampaignRow {
  id: number;
  name: string;
  list_id: number | null;
  parent_id: number | null;
  sender: string;
  template: string;
  state: CampaignState;
  schedule_mode: ScheduleMode | null;
  send_at: number | null;
  recipients: number;
  parts: number;
  suppressed: number;
  pause_reason: string | null;
  pause_code: string | null;
  mode: GatewayMode | null;
  retry_at: number | null;
  retry_count: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  list_name?: string | null;
}

export function toSummary(r: CampaignRow): CampaignSummary {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    listId: r.list_id,
    listName: r.list_name ?? null,
    parentId: r.parent_id,
    sender: r.sender,
    template: r.template,
    recipients: r.recipients,
    parts: r.parts,
    suppressed: r.suppressed,
    scheduleMode: r.schedule_mode,
    sendAt: r.send_at,
    pauseReason: r.pause_reason,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export function emptyCounts(): StatusCounts {
  const c = {} as StatusCounts;
  for (const s of MESSAGE_STATUSES) c[s] = 0;
  return c;
}

export const FINAL_SQL = sqlList(FINAL_STATUSES);
export type { MessageStatus };
