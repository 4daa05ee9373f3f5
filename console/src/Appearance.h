#pragma once

// Language and theme of the console: translations compiled into the binary (":/i18n"), the
// system language by default; light and dark palettes on the Fusion style.

#include <QString>

namespace paydesk::console {

/// Installs the translation for "system", "en" or "zh_CN"; returns the locale name in effect.
QString applyLanguage(const QString &setting);
/// Applies "system", "light" or "dark".
void applyTheme(const QString &setting);
/// The languages the console ships, as (setting, native name) pairs.
QList<QPair<QString, QString>> availableLanguages();

} // namespace paydesk::console
