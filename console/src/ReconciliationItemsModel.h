#pragma once

// Discrepancy items of the reconciliation (GET /v1/reconciliation/items), paged like every
// KeysetListModel; an export loads every page (loadAll).

#include "KeysetListModel.h"

namespace paydesk::console {

class ReconciliationItemsModel final : public KeysetListModel
{
    Q_OBJECT

public:
    enum Column { Created, Channel, Kind, Key, LocalAmount, ChannelAmount, Status, Resolution, ColumnCount };

    /// search() takes the filters date, channel_id, kind, status (without limit/cursor).
    explicit ReconciliationItemsModel(ConsoleSession &session, QObject *parent = nullptr);

    QJsonObject itemAt(int row) const { return rowAt(row); }
    /// Replaces a row's item after it changed (resolved).
    void updateItem(const QJsonObject &item) { updateRow(item); }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The text of a cell as shown (tests, the PDF).
    static QString text(const QJsonObject &item, Column column);
    static QString kindTitle(const QString &kind);
    static QString statusTitle(const QString &status);
    static QString resolutionTitle(const QString &resolution);
    /// A channel account id as shown; "internal" is the internal checks.
    static QString channelTitle(const QString &channelId);
    /// The item's key: the order or refund number, else the channel's trade number.
    static QString keyText(const QJsonObject &item);
    /// An amount that may be null (the side that lacks the record): "—" then.
    static QString amountText(const QJsonValue &fen);
    /// The kinds a person filters by, and the resolutions a person may choose, in the API's words.
    static const QStringList &kinds();
    static const QStringList &manualResolutions();
};

} // namespace paydesk::console
