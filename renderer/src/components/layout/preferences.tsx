import { ActionIcon, Group, Menu, Tooltip, useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import { IconDeviceDesktop, IconLanguage, IconLogout, IconMoon, IconSun } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { changeLanguage, type Language } from '../../i18n/i18n';

const languageNames: Record<Language, string> = { en: 'English', zh: '简体中文' };
const schemeIcons: Record<MantineColorScheme, React.ReactNode> = {
  auto: <IconDeviceDesktop size={16} />,
  light: <IconSun size={16} />,
  dark: <IconMoon size={16} />,
};

/** Language and theme switches (both follow the OS until changed), and sign-out in the browser. */
export function Preferences({ onSignOut }: { onSignOut?: () => void }) {
  const { t, i18n } = useTranslation();
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  // A button's tooltip hides while its menu is open: both open upwards, and the tooltip covered the menu.
  const [openMenu, setOpenMenu] = useState<'language' | 'theme' | null>(null);
  return (
    <Group gap={4}>
      <Menu position="top-start" withinPortal opened={openMenu === 'language'} onChange={(opened) => setOpenMenu(opened ? 'language' : null)}>
        <Menu.Target>
          <Tooltip label={t('app.language')} disabled={openMenu === 'language'}>
            <ActionIcon variant="subtle" color="gray" aria-label={t('app.language')}>
              <IconLanguage size={16} />
            </ActionIcon>
          </Tooltip>
        </Menu.Target>
        <Menu.Dropdown>
          {(Object.keys(languageNames) as Language[]).map((language) => (
            <Menu.Item key={language} onClick={() => void changeLanguage(language)} fw={i18n.language === language ? 600 : undefined}>
              {languageNames[language]}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      <Menu position="top-start" withinPortal opened={openMenu === 'theme'} onChange={(opened) => setOpenMenu(opened ? 'theme' : null)}>
        <Menu.Target>
          <Tooltip label={t('app.theme')} disabled={openMenu === 'theme'}>
            <ActionIcon variant="subtle" color="gray" aria-label={t('app.theme')}>
              {schemeIcons[colorScheme]}
            </ActionIcon>
          </Tooltip>
        </Menu.Target>
        <Menu.Dropdown>
          {(['auto', 'light', 'dark'] as const).map((scheme) => (
            <Menu.Item key={scheme} leftSection={schemeIcons[scheme]} onClick={() => setColorScheme(scheme)} fw={colorScheme === scheme ? 600 : undefined}>
              {t(`app.theme${scheme[0]!.toUpperCase()}${scheme.slice(1)}` as 'app.themeAuto')}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      {onSignOut && (
        <Tooltip label={t('app.logout')}>
          <ActionIcon variant="subtle" color="gray" aria-label={t('app.logout')} onClick={onSignOut}>
            <IconLogout size={16} />
          </ActionIcon>
        </Tooltip>
      )}
    </Group>
  );
}
