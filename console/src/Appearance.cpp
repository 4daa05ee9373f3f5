#include "Appearance.h"

#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace paydesk::console {

namespace {

QTranslator *g_console = nullptr;
QTranslator *g_qt = nullptr;

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe8, 0xea, 0xed);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, QColor(0x64, 0xb5, 0xf6));
    p.setColor(QPalette::Highlight, QColor(0x19, 0x76, 0xd2));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0xa0, 0xa6));
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x80, 0x86, 0x8b));
    return p;
}

} // namespace

QList<QPair<QString, QString>> availableLanguages()
{
    return {{u"system"_s, QApplication::translate("paydesk::console::Appearance", "System language")},
            {u"en"_s, u"English"_s},
            {u"zh_CN"_s, u"简体中文"_s}};
}

QString applyLanguage(const QString &setting)
{
    QLocale locale = setting == u"en"_s      ? QLocale(QLocale::English, QLocale::UnitedStates)
                     : setting == u"zh_CN"_s ? QLocale(QLocale::Chinese, QLocale::China)
                                             : QLocale::system();
    const bool chinese = locale.language() == QLocale::Chinese;
    if (!chinese)
        locale = setting == u"system"_s && locale.language() == QLocale::English ? locale
                                                                                 : QLocale(QLocale::English, QLocale::UnitedStates);
    QLocale::setDefault(locale);

    if (g_console) {
        QCoreApplication::removeTranslator(g_console);
        delete g_console;
        g_console = nullptr;
    }
    if (g_qt) {
        QCoreApplication::removeTranslator(g_qt);
        delete g_qt;
        g_qt = nullptr;
    }
    const QString name = chinese ? u"zh_CN"_s : u"en"_s;
    g_console = new QTranslator;
    if (g_console->load(u":/i18n/paydesk_"_s + name))
        QCoreApplication::installTranslator(g_console);
    // Qt's own strings (standard buttons) when the system has them.
    g_qt = new QTranslator;
    if (g_qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(g_qt);
    return name;
}

void applyTheme(const QString &setting)
{
    QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
    if (setting == u"dark"_s)
        QApplication::setPalette(darkPalette());
    else
        QApplication::setPalette(QApplication::style()->standardPalette());
}

} // namespace paydesk::console
