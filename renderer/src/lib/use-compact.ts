import { useMediaQuery } from '@mantine/hooks';

/** Below this width the sidebar shows icons only and tables stack their secondary columns. */
export const COMPACT_QUERY = '(max-width: 999.98px)';

/** Whether the window is narrow (under 1,000 px): an 800×600 window must show everything without sideways scrolling. */
export function useCompact(): boolean {
  return useMediaQuery(COMPACT_QUERY) ?? false;
}
