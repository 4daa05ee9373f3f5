#include "PgCluster.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpServer>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace paydesk::test {

QString testBackend()
{
    const QString backend = qEnvironmentVariable("PAYDESK_TEST_DB", u"sqlite"_s);
    return backend == u"postgresql"_s ? backend : u"sqlite"_s;
}

int freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

PgCluster::PgCluster(Durability durability) : m_durability(durability) {}

PgCluster::~PgCluster()
{
    if (m_started) {
        QString ignored;
        // A durable cluster shuts down cleanly; a fast one has nothing worth a checkpoint.
        run(m_binDir + u"/pg_ctl"_s,
            {u"-D"_s, m_dir->path() + u"/data"_s, u"-m"_s,
             m_durability == Durability::Durable ? u"fast"_s : u"immediate"_s, u"-w"_s, u"stop"_s},
            &ignored);
    }
}

bool PgCluster::run(const QString &program, const QStringList &arguments, QString *error, int timeoutMs)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    if (m_asPostgresUser)
        process.start(u"runuser"_s, QStringList{u"-u"_s, u"postgres"_s, u"--"_s, program} + arguments);
    else
        process.start(program, arguments);
    if (!process.waitForFinished(timeoutMs) || process.exitStatus() != QProcess::NormalExit
        || process.exitCode() != 0) {
        *error = u"%1 failed: %2"_s.arg(program, QString::fromLocal8Bit(process.readAll()).right(2000));
        return false;
    }
    return true;
}

bool PgCluster::start(QString *error)
{
    const QStringList versions
        = QDir(u"/usr/lib/postgresql"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    for (const QString &version : versions) {
        if (QFile::exists(u"/usr/lib/postgresql/%1/bin/initdb"_s.arg(version))) {
            m_binDir = u"/usr/lib/postgresql/%1/bin"_s.arg(version);
            break;
        }
    }
    if (m_binDir.isEmpty()) {
        *error = u"PostgreSQL server binaries not found under /usr/lib/postgresql (run scripts/install-deps.sh)"_s;
        return false;
    }
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/paydesk-pg-XXXXXX"_s);
    if (!m_dir->isValid()) {
        *error = u"cannot create a temporary directory"_s;
        return false;
    }
    // initdb and postgres refuse to run as root.
    m_asPostgresUser = ::geteuid() == 0;
    if (m_asPostgresUser) {
        QString ignored;
        QProcess::execute(u"chown"_s, {u"postgres:postgres"_s, m_dir->path()});
        Q_UNUSED(ignored)
    }
    const QString data = m_dir->path() + u"/data"_s;
    const bool durable = m_durability == Durability::Durable;
    QStringList initdb{u"-D"_s, data, u"-U"_s, u"paydesk"_s, u"-A"_s, u"trust"_s, u"-E"_s, u"UTF8"_s, u"--locale=C"_s};
    if (!durable)
        initdb << u"--no-sync"_s;
    if (!run(m_binDir + u"/initdb"_s, initdb, error))
        return false;
    for (int attempt = 0; attempt < 5 && !m_started; ++attempt) {
        m_port = freeLoopbackPort();
        const QString options = u"-p %1 -k %2 -c listen_addresses=127.0.0.1 -c max_connections=300"_s.arg(m_port).arg(
                                    m_dir->path())
            + (durable ? QString() : u" -c fsync=off -c full_page_writes=off"_s);
        m_started = run(m_binDir + u"/pg_ctl"_s,
                        {u"-D"_s, data, u"-o"_s, options, u"-l"_s, m_dir->path() + u"/server.log"_s, u"-w"_s, u"-t"_s,
                         u"60"_s, u"start"_s},
                        error);
    }
    return m_started;
}

QByteArray PgCluster::dump(const QString &name)
{
    QProcess process;
    const QStringList arguments{u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_port), u"-U"_s, u"paydesk"_s, name};
    if (m_asPostgresUser)
        process.start(u"runuser"_s, QStringList{u"-u"_s, u"postgres"_s, u"--"_s, m_binDir + u"/pg_dump"_s} + arguments);
    else
        process.start(m_binDir + u"/pg_dump"_s, arguments);
    if (!process.waitForFinished(60'000) || process.exitCode() != 0)
        return {};
    return process.readAllStandardOutput();
}

QString PgCluster::createDatabase(const QString &name, QString *error)
{
    if (!run(m_binDir + u"/createdb"_s,
             {u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_port), u"-U"_s, u"paydesk"_s, name}, error))
        return {};
    return u"postgresql://paydesk@127.0.0.1:%1/%2"_s.arg(m_port).arg(name);
}

} // namespace paydesk::test
