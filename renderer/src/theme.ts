import { createTheme, DEFAULT_THEME, type CSSVariablesResolver } from '@mantine/core';

/** Calm and dense: one accent (indigo), system fonts (nothing remote), small controls, soft radii. */
export const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 6 under white text is 4.3:1; 7 (light) and 8 (dark) pass WCAG AA's 4.5:1.
  primaryShade: { light: 7, dark: 8 },
  // Users who ask the OS for less motion get popovers and dialogs without transitions; axe in the tests relies on it
  // too, since a half-faded popover reads as hidden or low-contrast.
  respectReducedMotion: true,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SF Mono", "Cascadia Code", "JetBrains Mono", Menlo, Consolas, monospace',
  fontSizes: { xs: '0.75rem', sm: '0.8125rem', md: '0.875rem', lg: '1rem', xl: '1.125rem' },
  headings: { fontWeight: '650' },
  cursorType: 'pointer',
  components: {
    Button: { defaultProps: { size: 'sm' } },
    TextInput: { defaultProps: { size: 'sm' } },
    Modal: { defaultProps: { centered: true, overlayProps: { backgroundOpacity: 0.4, blur: 2 } }, styles: { title: { fontWeight: 600 } } },
    // The focus placeholder Mantine puts first in a menu is a plain div, which a role="menu" must not contain.
    Menu: { defaultProps: { withInitialFocusPlaceholder: false } },
    Tooltip: { defaultProps: { openDelay: 300 } },
    Badge: { defaultProps: { tt: 'none' } },
  },
});

const colorNames = Object.keys(DEFAULT_THEME.colors);

/**
 * Text colours that pass WCAG AA (4.5:1) on the page and on light fills: Mantine's dimmed grey (3.3:1) and coloured
 * text at shade 6 (green 2.6:1) are too faint in light mode, and dimmed dark.2 is borderline in dark mode.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    ...Object.fromEntries(colorNames.map((name) => [`--mantine-color-${name}-text`, `var(--mantine-color-${name}-9)`])),
    ...Object.fromEntries(colorNames.map((name) => [`--mantine-color-${name}-light-color`, `var(--mantine-color-${name}-9)`])),
    // Light chips (status) sit on the palest tint, so their darkest text stays above 4.5:1.
    ...Object.fromEntries(colorNames.map((name) => [`--mantine-color-${name}-light`, `var(--mantine-color-${name}-0)`])),
    ...Object.fromEntries(colorNames.map((name) => [`--mantine-color-${name}-light-hover`, `var(--mantine-color-${name}-1)`])),
    // Red under white text (Remove, Delete) is 3.8:1 at shade 7.
    '--mantine-color-red-filled': 'var(--mantine-color-red-9)',
    '--mantine-color-red-filled-hover': '#a51d1d',
    // Orange and yellow are too light even at shade 9 (4.0:1 and 2.8:1 on their tint): "403" and "Expired" chips.
    '--mantine-color-orange-text': '#b03a06',
    '--mantine-color-orange-light-color': '#b03a06',
    '--mantine-color-yellow-text': '#8f5300',
    '--mantine-color-yellow-light-color': '#8f5300',
    // Links and the key names that open a key's page: shade 7 is 4.5:1 on white but 4.47:1 on a hovered row.
    '--mantine-color-anchor': 'var(--mantine-primary-color-8)',
  },
  dark: {
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    '--mantine-color-anchor': 'var(--mantine-primary-color-3)',
    ...Object.fromEntries(colorNames.map((name) => [`--mantine-color-${name}-text`, `var(--mantine-color-${name}-3)`])),
    ...Object.fromEntries(colorNames.map((name) => [`--mantine-color-${name}-light-color`, `var(--mantine-color-${name}-2)`])),
  },
});
