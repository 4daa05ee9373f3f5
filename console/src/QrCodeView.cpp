#include "QrCodeView.h"

#include <QPainter>

#include <qrcodegen.hpp>

namespace paydesk::console {

QrMatrix encodeQr(const QString &text)
{
    QrMatrix matrix;
    const QByteArray utf8 = text.toUtf8();
    if (utf8.isEmpty() || utf8.size() > 2000)
        return matrix;
    try {
        const qrcodegen::QrCode code = qrcodegen::QrCode::encodeText(utf8.constData(), qrcodegen::QrCode::Ecc::MEDIUM);
        matrix.size = code.getSize();
        matrix.modules.reserve(matrix.size * matrix.size);
        for (int y = 0; y < matrix.size; ++y) {
            for (int x = 0; x < matrix.size; ++x)
                matrix.modules.append(code.getModule(x, y));
        }
    } catch (const qrcodegen::data_too_long &) {
        matrix = {};
    }
    return matrix;
}

QImage renderQr(const QrMatrix &matrix, int modulePixels)
{
    if (matrix.isEmpty() || modulePixels < 1)
        return {};
    const int side = (matrix.size + 2 * QrCodeView::kQuietZone) * modulePixels;
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setPen(Qt::NoPen);
    painter.setBrush(Qt::black);
    for (int y = 0; y < matrix.size; ++y) {
        for (int x = 0; x < matrix.size; ++x) {
            if (matrix.dark(x, y))
                painter.drawRect((x + QrCodeView::kQuietZone) * modulePixels, (y + QrCodeView::kQuietZone) * modulePixels,
                                 modulePixels, modulePixels);
        }
    }
    return image;
}

QrCodeView::QrCodeView(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void QrCodeView::setText(const QString &text)
{
    m_text = text;
    m_matrix = encodeQr(text);
    updateGeometry();
    update();
}

int QrCodeView::modulePixels() const
{
    if (m_matrix.isEmpty())
        return 0;
    const int modules = m_matrix.size + 2 * kQuietZone;
    const int side = qMin(width(), height());
    return qMax(1, side / modules);
}

QRect QrCodeView::codeRect() const
{
    const int pixels = modulePixels();
    if (pixels == 0)
        return {};
    const int side = (m_matrix.size + 2 * kQuietZone) * pixels;
    return QRect((width() - side) / 2, (height() - side) / 2, side, side);
}

QSize QrCodeView::sizeHint() const
{
    return QSize(320, 320);
}

QSize QrCodeView::minimumSizeHint() const
{
    // Three device pixels per module is about the least a phone reads reliably off a screen.
    const int modules = m_matrix.isEmpty() ? 41 : m_matrix.size + 2 * kQuietZone;
    return QSize(modules * 3, modules * 3);
}

void QrCodeView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    if (m_matrix.isEmpty())
        return;
    const QRect target = codeRect();
    // Drawn 1:1 from an image of exactly the target size: no smoothing blurs module edges.
    painter.drawImage(target.topLeft(), renderQr(m_matrix, modulePixels()));
}

} // namespace paydesk::console
