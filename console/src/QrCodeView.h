#pragma once

// A QR code as a phone camera reads it from a screen: black modules on white with the four-module
// quiet zone the standard asks for, drawn at a whole number of pixels per module so edges stay sharp,
// as large as the widget allows. The colours do not follow the dark palette: scanners need contrast.

#include <QImage>
#include <QWidget>

namespace paydesk::console {

/// The code's modules (true = dark) with medium error correction; empty if text does not fit.
struct QrMatrix
{
    int size = 0;
    QList<bool> modules; ///< row-major, size × size

    bool isEmpty() const { return size == 0; }
    bool dark(int x, int y) const { return modules.at(y * size + x); }
};
QrMatrix encodeQr(const QString &text);

/// The code rendered at modulePixels per module with a 4-module quiet zone.
QImage renderQr(const QrMatrix &matrix, int modulePixels);

class QrCodeView final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kQuietZone = 4;

    explicit QrCodeView(QWidget *parent = nullptr);

    void setText(const QString &text);
    QString text() const { return m_text; }
    const QrMatrix &matrix() const { return m_matrix; }
    /// Pixels per module at the current size (0 without a code).
    int modulePixels() const;
    /// Where the code (with its quiet zone) is drawn, in widget coordinates.
    QRect codeRect() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_text;
    QrMatrix m_matrix;
};

} // namespace paydesk::console
