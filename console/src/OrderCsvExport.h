#pragma once

// Writes every order of a search to a CSV file, page by page from the server (never the whole
// result in memory), into a QSaveFile so a canceled or failed export leaves no half-written file.

#include <QObject>
#include <QPointer>
#include <QSaveFile>
#include <QUrlQuery>

#include <memory>

#include <QNetworkReply>

namespace paydesk::console {

class ConsoleSession;

class OrderCsvExport final : public QObject
{
    Q_OBJECT

public:
    static constexpr int kPageSize = 200;
    static constexpr int kMaxRows = 1'000'000;

    OrderCsvExport(ConsoleSession &session, QUrlQuery search, QObject *parent = nullptr);
    ~OrderCsvExport() override;

    /// Opens the file and starts; false (with *error) if the file cannot be written.
    bool start(const QString &path, QString *error);
    void cancel();
    int rows() const { return m_rows; }

    /// One CSV field: quoted when it holds a comma, quote or line break; formula-like text is
    /// prefixed with ' so spreadsheets do not run it.
    static QString field(const QString &text);
    /// An amount for machines: no grouping, '.' always, two decimals ("-12.30").
    static QString amount(qint64 fen);
    /// A time in ISO 8601 at UTC+8 ("2026-11-29T10:00:00+08:00"); empty for 0.
    static QString isoTime(qint64 ms);

signals:
    void progress(int rows);
    void finished(bool ok, const QString &error);

private:
    void fetch(const QString &cursor);
    void fail(const QString &error);

    ConsoleSession &m_session;
    QUrlQuery m_search;
    std::unique_ptr<QSaveFile> m_file;
    QPointer<QNetworkReply> m_reply;
    int m_rows = 0;
    bool m_done = false;
};

} // namespace paydesk::console
